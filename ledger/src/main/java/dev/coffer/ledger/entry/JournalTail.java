package dev.coffer.ledger.entry;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The newest part of an account's journal: the entries after a given seq (oldest first, at most a
 * page), the account's state as it was read with them, and, by seq, the data of the balance monitor
 * events an entry made fire (none for most).
 */
public record JournalTail(
    UUID accountId,
    List<Entry> entries,
    long lastSeq,
    long balance,
    long available,
    Map<Long, JsonArray> monitorsTriggered) {

  /** The monitor events entry {@code seq} made fire, or null. */
  public JsonArray monitorsTriggeredAt(long seq) {
    return monitorsTriggered.get(seq);
  }

  /** Whether entries past this page exist: the page ends before the account's last seq. */
  public boolean hasMore() {
    return !entries.isEmpty() && entries.get(entries.size() - 1).seq() < lastSeq;
  }
}
