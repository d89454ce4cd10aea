package dev.coffer.ledger.transfer;

import dev.coffer.ledger.WireName;

/** Where a transfer stands: pending until posted, voided or expired; posted at once otherwise. */
public enum TransferStatus {
  PENDING,
  POSTED,
  VOIDED,
  EXPIRED;

  private final String wire = WireName.of(this);

  /** The name in the contract and the database, e.g. {@code pending}. */
  public String wire() {
    return wire;
  }

  /** The status the database names {@code wire}. */
  public static TransferStatus of(String wire) {
    TransferStatus status = WireName.parse(TransferStatus.class, wire);
    if (status == null) {
      throw new IllegalStateException("unknown transfer status in the database: " + wire);
    }
    return status;
  }
}
