package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code not-found}: No such resource, or not the caller's (404). */
public final class NotFoundException extends CofferProblemException {
  public static final String CODE = "not-found";

  public NotFoundException(int status, Problem problem) {
    super(status, problem);
  }
}
