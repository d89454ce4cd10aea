package dev.coffer.ledger.transfer;

/** Where a transfer stands: pending until posted, voided or expired; posted at once otherwise. */
public enum TransferStatus {
  PENDING("pending"),
  POSTED("posted"),
  VOIDED("voided"),
  EXPIRED("expired");

  private final String wire;

  TransferStatus(String wire) {
    this.wire = wire;
  }

  /** The name in the database and the contract. */
  public String wire() {
    return wire;
  }

  public static TransferStatus of(String wire) {
    for (TransferStatus status : values()) {
      if (status.wire.equals(wire)) {
        return status;
      }
    }
    throw new IllegalStateException("unknown transfer status in the database: " + wire);
  }
}
