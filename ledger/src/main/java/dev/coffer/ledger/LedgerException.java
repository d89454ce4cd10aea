package dev.coffer.ledger;

/**
 * A rule said no: {@link #error()} is the contract's code, {@link #refusal()} a settle's reason.
 */
public final class LedgerException extends RuntimeException {
  private final LedgerError error;
  private final SettleRefusal refusal;

  public LedgerException(LedgerError error, String message) {
    this(error, null, message);
  }

  public LedgerException(LedgerError error, SettleRefusal refusal, String message) {
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

  /** Why a settle was refused; null for every other error. */
  public SettleRefusal refusal() {
    return refusal;
  }
}
