package dev.coffer.ledger;

/**
 * A rule said no: {@link #error()} is the contract's code, {@link #refusal()} a settle's or a
 * reversal's reason, {@link #pointer()} the part of the request at fault when it is one of many (a
 * transaction's leg, a condition, a version lock).
 */
public final class LedgerException extends RuntimeException {
  private final LedgerError error;
  private final Refusal refusal;
  private final String pointer;

  public LedgerException(LedgerError error, String message) {
    this(error, null, message);
  }

  public LedgerException(LedgerError error, Refusal refusal, String message) {
    this(error, refusal, message, null);
  }

  public LedgerException(LedgerError error, Refusal refusal, String message, String pointer) {
    super(message, null, false, false);
    this.error = error;
    this.refusal = refusal;
    this.pointer = pointer;
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

  /** The part of the request at fault ({@code legs[2]}, {@code require[0]}), or null. */
  public String pointer() {
    return pointer;
  }
}
