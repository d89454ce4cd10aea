package dev.coffer.ledger.account;

/**
 * What a list of accounts is narrowed to; every field may be null (no narrowing). {@code name} is
 * matched exactly; {@code metadataKey} and {@code metadataValue} come together; {@code closed} true
 * lists closed accounts only, false open ones only.
 */
public record AccountFilter(String name, String metadataKey, String metadataValue, Boolean closed) {
  public static final AccountFilter NONE = new AccountFilter(null, null, null, null);
}
