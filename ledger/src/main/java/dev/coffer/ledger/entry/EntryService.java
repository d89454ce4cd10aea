package dev.coffer.ledger.entry;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Pages of an account's journal, newest first. */
public final class EntryService {
  // Keyset on seq: an entry, once numbered, never moves, so pages neither repeat nor skip rows
  // while new entries arrive (they get larger seqs, ahead of the first page).
  // One round trip: the owned account (no row: not-found) joined to up to $4 of its entries (a
  // single row of NULLs: an empty page).
  private static final String PAGE =
      "SELECT e.* FROM accounts a LEFT JOIN LATERAL (SELECT account_id, seq, transfer_id, kind,"
          + " amount, balance_after, counterparty_account_id, status, description, created_at"
          + " FROM entries WHERE account_id = a.id AND seq < $3 ORDER BY seq DESC LIMIT $4) e"
          + " ON true WHERE a.id = $1 AND a.owner_id = $2 ORDER BY e.seq DESC";

  private final ReadRouter reads;

  public EntryService(ReadRouter reads) {
    this.reads = reads;
  }

  /** Entries of {@code owner}'s account with seq below {@code before} (null: the newest). */
  public Future<List<Entry>> page(
      UUID owner, UUID account, Long before, int limit, ConsistencyToken token) {
    long below = before == null ? Long.MAX_VALUE : before;
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(PAGE)
                .execute(Tuple.of(account, owner, below, limit))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
                      }
                      List<Entry> page = new ArrayList<>();
                      rows.forEach(
                          row -> {
                            if (row.getValue("seq") != null) {
                              page.add(Entry.from(row));
                            }
                          });
                      return page;
                    }));
  }
}
