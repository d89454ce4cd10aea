package dev.coffer.ledger.transfer;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A movement of money between two accounts: posted at once, or pending until settled. A reversal
 * names the transfer it reverses ({@code reversalOf}); a transfer counts what has been reversed of
 * it ({@code reversedAmount}). A pending transfer (a hold) may be captured in parts: {@code
 * capturedAmount} is what has moved of it so far (the whole amount once posted at once or whole).
 * {@code effectiveAt} is when a back-dated move counts (null: when it was booked); {@code
 * transactionId} names the transaction a leg belongs to (null for a transfer on its own).
 */
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
    OffsetDateTime expiresAt,
    UUID reversalOf,
    long reversedAmount,
    long capturedAmount,
    Map<String, String> metadata,
    OffsetDateTime effectiveAt,
    UUID transactionId) {

  /** A transfer from a row of {@code transfers} (or a query with its columns). */
  public static Transfer from(Row row) {
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
        row.getOffsetDateTime("expires_at"),
        row.getUUID("reversal_of"),
        row.getLong("reversed_amount"),
        capturedAmount(row),
        Metadata.of(row.getJsonObject("metadata")),
        row.getOffsetDateTime("effective_at"),
        row.getUUID("transaction_id"));
  }

  // NULL: no capture was partial, so a posted transfer moved its amount and any other nothing.
  private static long capturedAmount(Row row) {
    Long captured = row.getLong("captured_amount");
    if (captured != null) {
      return captured;
    }
    return "posted".equals(row.getString("status")) ? row.getLong("amount") : 0;
  }
}
