package dev.coffer.ledger.transfer;

import java.util.UUID;

/**
 * How a pending transfer is settled: posted (captured) or voided. A capture may take {@code amount}
 * (null: all that is left of the hold); {@code isFinal} ends the hold, releasing what is left after
 * the capture, while a capture that is not final keeps the rest held.
 */
public record Settle(UUID transferId, TransferStatus outcome, Long amount, boolean isFinal) {
  public Settle {
    if (outcome != TransferStatus.POSTED && outcome != TransferStatus.VOIDED) {
      throw new IllegalArgumentException("a settle posts or voids: " + outcome);
    }
    if (outcome == TransferStatus.VOIDED && (amount != null || !isFinal)) {
      throw new IllegalArgumentException("a void releases the whole hold");
    }
  }

  /** Posts or voids all that is left of the hold. */
  public static Settle whole(UUID transferId, TransferStatus outcome) {
    return new Settle(transferId, outcome, null, true);
  }
}
