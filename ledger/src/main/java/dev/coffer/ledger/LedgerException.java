package dev.coffer.ledger;

/** A rule said no: {@code code} is the contract's stable kebab-case error code. */
public final class LedgerException extends RuntimeException {
  private final String code;

  public LedgerException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
