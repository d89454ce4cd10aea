package dev.coffer.ledger.statement;

import dev.coffer.ledger.entry.Entry;

/**
 * One entry of a statement with what it did to the balance ({@code balanceChange}: 0 for a
 * reservation or its release, the amount for a posted move).
 */
public record StatementLine(Entry entry, long balanceChange) {}
