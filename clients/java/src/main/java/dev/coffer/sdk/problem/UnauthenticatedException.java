package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code unauthenticated}: No live token: missing, unknown, expired or revoked (401). */
public final class UnauthenticatedException extends CofferProblemException {
  public static final String CODE = "unauthenticated";

  public UnauthenticatedException(int status, Problem problem) {
    super(status, problem);
  }
}
