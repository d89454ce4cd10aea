package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import java.util.UUID;

/**
 * What a transfer is. A deposit's source and a withdrawal's destination are the service's own
 * settlement account: an id clients can do nothing with, so it is never shown to them.
 */
public enum TransferKind {
  DEPOSIT("deposit"),
  WITHDRAWAL("withdrawal"),
  TRANSFER("transfer");

  private final String wire;

  TransferKind(String wire) {
    this.wire = wire;
  }

  /** The name in the database and the contract. */
  public String wire() {
    return wire;
  }

  public static TransferKind of(String wire) {
    for (TransferKind kind : values()) {
      if (kind.wire.equals(wire)) {
        return kind;
      }
    }
    throw new LedgerException(LedgerError.VALIDATION, "unknown transfer kind: " + wire);
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
