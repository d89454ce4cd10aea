package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code currency-mismatch}: The two accounts hold different currencies (422). */
public final class CurrencyMismatchException extends CofferProblemException {
  public static final String CODE = "currency-mismatch";

  public CurrencyMismatchException(int status, Problem problem) {
    super(status, problem);
  }
}
