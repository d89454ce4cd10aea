package dev.coffer.ledger.transfer;

import java.time.Duration;

/**
 * Group commit of idempotent moves ({@link TransferGroups}): on or off, how many moves one group
 * holds at most, how many groups of an instance run at once, and how many moves may wait for a
 * group, for how long, before they are refused as overload (as a pool's wait queue would).
 */
public record GroupCommitSettings(
    boolean enabled, int maxSize, int maxInFlight, int maxWaiting, Duration maxWait) {
  /** Every move in a transaction of its own. */
  public static final GroupCommitSettings OFF = new GroupCommitSettings(false, 1, 1);

  public GroupCommitSettings {
    // Changeset 013: more subtransactions than 64 in one transaction overflow a backend's cache.
    if (maxSize < 1 || maxSize > 63 || maxInFlight < 1 || maxWaiting < 0 || maxWait.isNegative()) {
      throw new IllegalArgumentException(
          "a group holds 1 to 63 moves; at least one group at once; waits are not negative");
    }
  }

  /** With the pool's defaults for waiting: 256 moves, 2 s. */
  public GroupCommitSettings(boolean enabled, int maxSize, int maxInFlight) {
    this(enabled, maxSize, maxInFlight, 256, Duration.ofSeconds(2));
  }
}
