package dev.coffer.ledger.journal;

import java.util.UUID;

/**
 * What recomputing an account's chain found: {@code entries} checked (all of them when it holds),
 * the head it reached, and the first place it breaks, if any.
 */
public record JournalVerification(
    UUID accountId, long entries, long lastSeq, String lastHash, Break firstBreak) {

  /**
   * Where the chain breaks: {@code hash-mismatch} (the entry's stored hash is not the one its
   * fields and its predecessor give), {@code missing-entry} (no entry with this seq), or {@code
   * head-mismatch} (the account's recorded last seq or last hash is not its last entry's).
   */
  public record Break(long seq, String reason, String expectedHash, String storedHash) {}

  public boolean holds() {
    return firstBreak == null;
  }
}
