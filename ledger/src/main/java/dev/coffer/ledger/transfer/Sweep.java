package dev.coffer.ledger.transfer;

import java.util.List;
import java.util.UUID;

/**
 * One batch of the expiry sweeper: how many pending transfers it expired, the accounts they
 * touched, and in how many milliseconds the next pending transfer falls due ({@link Long#MAX_VALUE}
 * when none is pending; zero or less when one is due already).
 */
public record Sweep(int expired, List<UUID> accounts, long nextDueMs) {}
