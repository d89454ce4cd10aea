package dev.coffer.ledger.idempotency;

/** The first answer to an idempotent request, replayed byte for byte on a retry. */
public record StoredResponse(int status, byte[] body) {}
