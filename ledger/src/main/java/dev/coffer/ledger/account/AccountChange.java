package dev.coffer.ledger.account;

import java.util.Map;

/**
 * A change of an account's name and metadata: each is replaced when its {@code set...} flag is on
 * (a null name clears it; metadata is replaced whole, empty clears it) and kept otherwise.
 */
public record AccountChange(
    boolean setName, String name, boolean setMetadata, Map<String, String> metadata) {}
