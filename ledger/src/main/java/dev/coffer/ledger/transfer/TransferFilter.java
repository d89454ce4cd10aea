package dev.coffer.ledger.transfer;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * What a list of transfers is narrowed to; every field may be null (no narrowing). {@code status}
 * is the status as read: a pending transfer past its expiry is {@code expired}. {@code from} is
 * inclusive, {@code to} exclusive, on the transfer's {@code createdAt}. {@code metadataKey} and
 * {@code metadataValue} come together.
 */
public record TransferFilter(
    UUID account,
    TransferKind kind,
    TransferStatus status,
    OffsetDateTime from,
    OffsetDateTime to,
    String metadataKey,
    String metadataValue) {
  public static final TransferFilter NONE =
      new TransferFilter(null, null, null, null, null, null, null);
}
