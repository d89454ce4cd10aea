package dev.coffer.ledger.transaction;

import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.Transfer;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A booked transaction: its legs, in the order they were asked, each a transfer of its own that
 * names the transaction. {@code effectiveAt} is null unless it was back-dated; {@code conversion}
 * is null unless it is a conversion between currencies.
 */
public record Transaction(
    UUID id,
    String description,
    Map<String, String> metadata,
    OffsetDateTime createdAt,
    OffsetDateTime effectiveAt,
    List<Transfer> legs,
    Conversion conversion) {

  static Transaction from(Row row, List<Transfer> legs) {
    return new Transaction(
        row.getUUID("id"),
        row.getString("description"),
        Metadata.of(row.getJsonObject("metadata")),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("effective_at"),
        List.copyOf(legs),
        Conversion.from(row.getJsonObject("conversion")));
  }
}
