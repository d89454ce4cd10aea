package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/**
 * {@code transfer-not-reversible}: The transfer cannot be reversed by the caller; {@code
 * problem().getReason()} says why (409).
 */
public final class TransferNotReversibleException extends CofferProblemException {
  public static final String CODE = "transfer-not-reversible";

  public TransferNotReversibleException(int status, Problem problem) {
    super(status, problem);
  }
}
