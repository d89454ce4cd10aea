package dev.coffer.ledger.db;

/** The result of a committed write, with the token a later read must be at least as fresh as. */
public record Committed<T>(T value, ConsistencyToken token) {}
