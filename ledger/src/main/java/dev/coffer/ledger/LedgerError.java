package dev.coffer.ledger;

/**
 * Every way a ledger rule can say no. Each code is the contract's kebab-case error code; the SQL
 * functions raise the same codes (SQLSTATE {@code CF001}), and the API maps each to an HTTP status
 * in one table.
 */
public enum LedgerError {
  VALIDATION,
  NOT_FOUND,
  EMAIL_TAKEN,
  SAME_ACCOUNT,
  CURRENCY_MISMATCH,
  INSUFFICIENT_FUNDS,
  AMOUNT_OVERFLOW,
  /** The family of refused settles; {@link SettleRefusal} says which one. */
  TRANSFER_NOT_PENDING,
  /** The family of refused reversals; {@link ReversalRefusal} says which one. */
  TRANSFER_NOT_REVERSIBLE,
  /** A reversal for more than is left to reverse of its transfer. */
  REVERSAL_EXCEEDS_TRANSFER,
  /** A capture for more than is left of its hold. */
  CAPTURE_EXCEEDS_HOLD,
  /** An account named by a version lock has changed since the version given. */
  VERSION_MISMATCH,
  /** A condition on the balances a move leaves does not hold. */
  CONDITION_FAILED,
  /** A move into or out of a closed account. */
  ACCOUNT_CLOSED,
  /** Closing an account on which a live hold is, either side. */
  ACCOUNT_HAS_HOLDS,
  /** Closing an account whose balance is not zero, without a sweep. */
  ACCOUNT_NOT_EMPTY,
  IDEMPOTENCY_KEY_REUSED,
  IDEMPOTENCY_REQUEST_IN_PROGRESS;

  private final String code = WireName.of(this);

  /** The contract's code, e.g. {@code insufficient-funds}. */
  public String code() {
    return code;
  }

  /** The error a database function raised by {@code code}, or null for a code it never raises. */
  public static LedgerError ofCode(String code) {
    return WireName.parse(LedgerError.class, code);
  }
}
