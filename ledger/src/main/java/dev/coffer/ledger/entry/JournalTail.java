package dev.coffer.ledger.entry;

import java.util.List;
import java.util.UUID;

/**
 * The newest part of an account's journal: the entries after a given seq (oldest first, at most a
 * page), and the account's state as it was read with them.
 */
public record JournalTail(
    UUID accountId, List<Entry> entries, long lastSeq, long balance, long available) {

  /** Whether entries past this page exist: the page ends before the account's last seq. */
  public boolean hasMore() {
    return !entries.isEmpty() && entries.get(entries.size() - 1).seq() < lastSeq;
  }
}
