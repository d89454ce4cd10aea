package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code invalid-credentials}: Log-in refused: unknown e-mail or wrong password (401). */
public final class InvalidCredentialsException extends CofferProblemException {
  public static final String CODE = "invalid-credentials";

  public InvalidCredentialsException(int status, Problem problem) {
    super(status, problem);
  }
}
