package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.WireName;
import java.util.UUID;

/**
 * What a transfer is. A deposit's source and a withdrawal's destination are the service's own
 * settlement account: an id clients can do nothing with, so it is never shown to them.
 */
public enum TransferKind {
  DEPOSIT,
  WITHDRAWAL,
  TRANSFER;

  private final String wire = WireName.of(this);

  /** The name in the contract and the database, e.g. {@code deposit}. */
  public String wire() {
    return wire;
  }

  /** The kind named {@code wire}. */
  public static TransferKind of(String wire) {
    TransferKind kind = WireName.parse(TransferKind.class, wire);
    if (kind == null) {
      throw new LedgerException(LedgerError.VALIDATION, "unknown transfer kind: " + wire);
    }
    return kind;
  }

  /** The source account as clients see it: null for the settlement side. */
  public UUID shownSource(UUID from) {
    return this == DEPOSIT ? null : from;
  }

  /** The destination account as clients see it: null for the settlement side. */
  public UUID shownDestination(UUID to) {
    return this == WITHDRAWAL ? null : to;
  }

  /** An entry's counterparty as clients see it: only a transfer's is another user's account. */
  public UUID shownCounterparty(UUID counterparty) {
    return this == TRANSFER ? counterparty : null;
  }
}
