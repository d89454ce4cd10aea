package dev.coffer.ledger.transfer;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A movement of money between two accounts: posted at once, or pending until settled. */
public record Transfer(
    UUID id,
    TransferKind kind,
    UUID fromAccountId,
    UUID toAccountId,
    long amount,
    String currency,
    TransferStatus status,
    String description,
    OffsetDateTime createdAt,
    OffsetDateTime postedAt,
    OffsetDateTime expiresAt) {

  static Transfer from(Row row) {
    return new Transfer(
        row.getUUID("id"),
        TransferKind.of(row.getString("kind")),
        row.getUUID("from_account_id"),
        row.getUUID("to_account_id"),
        row.getLong("amount"),
        row.getString("currency"),
        TransferStatus.of(row.getString("status")),
        row.getString("description"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("posted_at"),
        row.getOffsetDateTime("expires_at"));
  }
}
