package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerException;

/** One item of an atomic batch failed, so none of the batch applied. */
public final class BatchItemException extends RuntimeException {
  private final int index;
  private final LedgerException cause;

  public BatchItemException(int index, LedgerException cause) {
    super("batch item " + index + ": " + cause.code(), cause, false, false);
    this.index = index;
    this.cause = cause;
  }

  public int index() {
    return index;
  }

  public LedgerException itemFailure() {
    return cause;
  }
}
