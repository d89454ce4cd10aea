package dev.coffer.ledger.entry;

import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.TransferKind;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One line of an account's append-only journal, with its transfer's metadata and, for a reversal's
 * entry, the transfer it reverses (null otherwise); {@code effectiveAt} when a back-dated entry
 * counts (null unless back-dated).
 */
public record Entry(
    UUID accountId,
    long seq,
    UUID transferId,
    TransferKind kind,
    long amount,
    long balanceAfter,
    UUID counterpartyAccountId,
    TransferStatus status,
    String description,
    OffsetDateTime createdAt,
    Map<String, String> metadata,
    UUID reversalOf,
    OffsetDateTime effectiveAt) {

  public static Entry from(Row row) {
    return new Entry(
        row.getUUID("account_id"),
        row.getLong("seq"),
        row.getUUID("transfer_id"),
        TransferKind.of(row.getString("kind")),
        row.getLong("amount"),
        row.getLong("balance_after"),
        row.getUUID("counterparty_account_id"),
        TransferStatus.of(row.getString("status")),
        row.getString("description"),
        row.getOffsetDateTime("created_at"),
        Metadata.of(row.getJsonObject("metadata")),
        row.getUUID("reversal_of"),
        row.getOffsetDateTime("effective_at"));
  }
}
