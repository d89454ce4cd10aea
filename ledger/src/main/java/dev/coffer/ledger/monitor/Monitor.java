package dev.coffer.ledger.monitor;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A balance monitor: {@code field operator threshold} on one account (e.g. {@code available <
 * 10000}), how many times it has fired and when it last did.
 */
public record Monitor(
    UUID id,
    UUID accountId,
    String field,
    String operator,
    long threshold,
    String description,
    long firedCount,
    OffsetDateTime lastFiredAt,
    OffsetDateTime createdAt) {

  /** The condition as the issue writes it, e.g. {@code available < 10000}. */
  public String condition() {
    return field + " " + operator + " " + threshold;
  }

  static Monitor from(Row row) {
    return new Monitor(
        row.getUUID("id"),
        row.getUUID("account_id"),
        row.getString("field"),
        row.getString("operator"),
        row.getLong("threshold"),
        row.getString("description"),
        row.getLong("fired_count"),
        row.getOffsetDateTime("last_fired_at"),
        row.getOffsetDateTime("created_at"));
  }
}
