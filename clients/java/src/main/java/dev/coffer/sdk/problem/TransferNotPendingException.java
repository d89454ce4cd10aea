package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/**
 * {@code transfer-not-pending}: Only a pending transfer can be posted or voided; {@code
 * problem().getReason()} says why not (409).
 */
public final class TransferNotPendingException extends CofferProblemException {
  public static final String CODE = "transfer-not-pending";

  public TransferNotPendingException(int status, Problem problem) {
    super(status, problem);
  }
}
