package dev.coffer.api.chaos;

import java.util.UUID;

/**
 * One money movement a client asked for, with the definitive answer it got: what the auditor holds
 * the ledger to. The transfers of one batch request share its key; {@code item} is the place of
 * each in the batch (-1 for a request of one).
 */
record Operation(
    Kind kind,
    UUID user,
    String key,
    int item,
    UUID from,
    UUID to,
    long amount,
    Outcome outcome,
    UUID transferId,
    String detail) {

  enum Kind {
    DEPOSIT,
    TRANSFER
  }

  enum Outcome {
    /** 201: the transfer exists, with this id. */
    ACKNOWLEDGED,
    /** 422 insufficient-funds: nothing moved. */
    REFUSED,
    /** No definitive answer within the client's patience: the property is broken. */
    UNDETERMINED,
    /** An answer no correct server gives here (e.g. 422 idempotency-key-reused, 400, 404). */
    UNEXPECTED
  }

  static Operation acknowledged(
      Kind kind, UUID user, String key, UUID from, UUID to, long amount, UUID id) {
    return new Operation(kind, user, key, -1, from, to, amount, Outcome.ACKNOWLEDGED, id, null);
  }

  static Operation of(
      Kind kind, UUID user, String key, UUID from, UUID to, long amount, Outcome outcome) {
    return new Operation(kind, user, key, -1, from, to, amount, outcome, null, null);
  }
}
