package dev.coffer.ledger.journal;

/** One entry as an export writes it: the fields its hash covers, and the stored hash (hex). */
public record JournalLine(JournalHash.Fields fields, String hash) {}
