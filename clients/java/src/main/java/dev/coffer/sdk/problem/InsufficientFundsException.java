package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code insufficient-funds}: The account's available amount does not cover the move (422). */
public final class InsufficientFundsException extends CofferProblemException {
  public static final String CODE = "insufficient-funds";

  public InsufficientFundsException(int status, Problem problem) {
    super(status, problem);
  }
}
