package dev.coffer.ledger;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every way a ledger rule can say no. Each code is the contract's kebab-case error code; the SQL
 * functions raise the same codes (SQLSTATE {@code CF001}), and the API maps each to an HTTP status
 * in one table.
 */
public enum LedgerError {
  VALIDATION("validation"),
  NOT_FOUND("not-found"),
  EMAIL_TAKEN("email-taken"),
  SAME_ACCOUNT("same-account"),
  CURRENCY_MISMATCH("currency-mismatch"),
  INSUFFICIENT_FUNDS("insufficient-funds"),
  AMOUNT_OVERFLOW("amount-overflow"),
  /** The family of refused settles; {@link SettleRefusal} says which one. */
  TRANSFER_NOT_PENDING("transfer-not-pending"),
  IDEMPOTENCY_KEY_REUSED("idempotency-key-reused"),
  IDEMPOTENCY_REQUEST_IN_PROGRESS("idempotency-request-in-progress");

  private static final Map<String, LedgerError> BY_CODE =
      Arrays.stream(values()).collect(Collectors.toMap(LedgerError::code, Function.identity()));

  private final String code;

  LedgerError(String code) {
    this.code = code;
  }

  /** The contract's code, e.g. {@code insufficient-funds}. */
  public String code() {
    return code;
  }

  /** The error a database function raised by {@code code}, or null for a code it never raises. */
  public static LedgerError ofCode(String code) {
    return BY_CODE.get(code);
  }
}
