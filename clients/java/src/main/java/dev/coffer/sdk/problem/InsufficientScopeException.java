package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code insufficient-scope}: The API key lacks {@code problem().getRequiredScope()} (403). */
public final class InsufficientScopeException extends CofferProblemException {
  public static final String CODE = "insufficient-scope";

  public InsufficientScopeException(int status, Problem problem) {
    super(status, problem);
  }
}
