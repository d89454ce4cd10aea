package dev.coffer.ledger.account;

import dev.coffer.ledger.transfer.Metadata;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * An account: posted balance, reservations, and what can still be spent; its metadata, and when it
 * was closed (null while open). {@code version} counts its entries (its last seq): any change to it
 * adds one, so a move can ask that it has not changed since it was read (a version lock).
 */
public record Account(
    UUID id,
    String name,
    String currency,
    long balance,
    long pendingDebits,
    long pendingCredits,
    long overdraftLimit,
    OffsetDateTime createdAt,
    long version,
    Map<String, String> metadata,
    OffsetDateTime closedAt) {

  /** {@code balance - pendingDebits + overdraftLimit}: what can still be spent. */
  public long available() {
    return Math.addExact(Math.subtractExact(balance, pendingDebits), overdraftLimit);
  }

  /** Whether the account refuses every move (until it is reopened). */
  public boolean closed() {
    return closedAt != null;
  }

  static Account from(Row row) {
    return new Account(
        row.getUUID("id"),
        row.getString("name"),
        row.getString("currency"),
        row.getLong("balance"),
        row.getLong("pending_debits"),
        row.getLong("pending_credits"),
        row.getLong("overdraft_limit"),
        row.getOffsetDateTime("created_at"),
        row.getLong("last_seq"),
        Metadata.of(row.getJsonObject("metadata")),
        row.getOffsetDateTime("closed_at"));
  }
}
