package dev.coffer.ledger;

/**
 * A rule said no: {@link #error()} is the contract's code, {@link #refusal()} a settle's or a
 * reversal's reason.
 */
public final class LedgerException extends RuntimeException {
  private final LedgerError error;
  private final Refusal refusal;

  public LedgerException(LedgerError error, String message) {
    this(error, null, message);
  }

  public LedgerException(LedgerError error, Refusal refusal, String message) {
    super(message, null, false, false);
    this.error = error;
    this.refusal = refusal;
  }

  public LedgerError error() {
    return error;
  }

  /** The contract's code, e.g. {@code insufficient-funds}. */
  public String code() {
    return error.code();
  }

  /** Why a settle or a reversal was refused; null for every other error. */
  public Refusal refusal() {
    return refusal;
  }
}
