package dev.coffer.ledger.idempotency;

/** Either a fresh result (with the response recorded for it) or the replay of an earlier one. */
public record Outcome<T>(T value, StoredResponse response, boolean replayed) {}
