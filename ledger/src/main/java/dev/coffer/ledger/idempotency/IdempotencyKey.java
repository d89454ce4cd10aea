package dev.coffer.ledger.idempotency;

import java.util.UUID;

/** A client's Idempotency-Key, scoped to its user, with the fingerprint of the request it named. */
public record IdempotencyKey(UUID userId, String key, String fingerprint) {}
