package dev.coffer.ledger.entry;

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
  private static final String PAGE =
      "SELECT e.account_id, e.seq, e.transfer_id, e.kind, e.amount, e.balance_after,"
          + " e.counterparty_account_id, e.status, e.description, e.created_at"
          + " FROM entries e JOIN accounts a ON a.id = e.account_id"
          + " WHERE e.account_id = $1 AND a.owner_id = $2 AND e.seq < $3"
          + " ORDER BY e.seq DESC LIMIT $4";
  private static final String OWNS = "SELECT 1 FROM accounts WHERE id = $1 AND owner_id = $2";

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
            pool.preparedQuery(OWNS)
                .execute(Tuple.of(account, owner))
                .compose(
                    owned -> {
                      if (owned.size() == 0) {
                        return Future.failedFuture(
                            new LedgerException("not-found", "no such account"));
                      }
                      return pool.preparedQuery(PAGE)
                          .execute(Tuple.of(account, owner, below, limit));
                    })
                .map(
                    rows -> {
                      List<Entry> page = new ArrayList<>();
                      rows.forEach(row -> page.add(Entry.from(row)));
                      return page;
                    }));
  }
}
