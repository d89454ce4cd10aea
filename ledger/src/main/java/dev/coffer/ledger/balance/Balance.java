package dev.coffer.ledger.balance;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An account's state after its entry {@code seq} (0: before its first entry): posted balance,
 * reservations, and what could be spent. {@code bookedAt} is that entry's booking time (null for
 * seq 0).
 */
public record Balance(
    UUID accountId,
    String currency,
    long seq,
    long balance,
    long pendingDebits,
    long pendingCredits,
    long overdraftLimit,
    OffsetDateTime bookedAt) {

  /** {@code balance - pendingDebits + overdraftLimit}. */
  public long available() {
    return Math.addExact(Math.subtractExact(balance, pendingDebits), overdraftLimit);
  }

  static Balance from(Row row) {
    return new Balance(
        row.getUUID("id"),
        row.getString("currency"),
        row.getLong("seq"),
        row.getLong("balance"),
        row.getLong("pending_debits"),
        row.getLong("pending_credits"),
        row.getLong("overdraft_limit"),
        row.getOffsetDateTime("booked_at"));
  }
}
