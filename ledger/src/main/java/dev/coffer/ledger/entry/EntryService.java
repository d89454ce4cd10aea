package dev.coffer.ledger.entry;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Pages of an account's journal, newest first. */
public final class EntryService {
  // Keyset on seq: an entry, once numbered, never moves, so pages neither repeat nor skip rows
  // while new entries arrive (they get larger seqs, ahead of the first page).
  // One round trip: the owned account (no row: not-found) joined to up to $4 of its entries (a
  // single row of NULLs: an empty page).
  // The metadata and what a reversal reverses are the transfer's, read by one primary-key probe
  // per entry of the page rather than copied into every entry (the journal is the largest table,
  // and written most).
  private static final String TRANSFER_COLUMNS = "t.metadata, t.reversal_of";
  // LATERAL keeps it a probe per entry: a plain join could be planned as a hash join over the
  // whole transfers table.
  private static final String TRANSFER_JOIN =
      " LEFT JOIN LATERAL (SELECT metadata, reversal_of FROM transfers WHERE id = e.transfer_id) t"
          + " ON true";
  private static final String PAGE =
      "SELECT e.*, "
          + TRANSFER_COLUMNS
          + " FROM accounts a LEFT JOIN LATERAL (SELECT account_id, seq, transfer_id, kind,"
          + " amount, balance_after, counterparty_account_id, status, description, created_at, effective_at"
          + " FROM entries WHERE account_id = a.id AND seq < $3 ORDER BY seq DESC LIMIT $4) e"
          + " ON true"
          + TRANSFER_JOIN
          + " WHERE a.id = $1 AND a.owner_id = $2 ORDER BY e.seq DESC";

  // The account (owned by $4, when given; no row: not-found) joined to up to $3 of its entries
  // after seq $2, oldest first: what a stream sends when it resumes or catches up.
  // The balance monitors an entry made fire (their events name its seq), read only for an account
  // that has monitors: from the owner's monitor events (a partial index, changeset 032) written
  // since the entry's millisecond, as a UUIDv7 id bound; none for any other account.
  private static final String MONITORS_TRIGGERED =
      " LEFT JOIN LATERAL (SELECT jsonb_agg(v.data ORDER BY v.id) AS monitors_triggered"
          + " FROM events v WHERE a.monitored AND e.seq IS NOT NULL"
          + " AND v.owner_id = a.owner_id AND v.type = 'balance.monitor.triggered'"
          + " AND v.id >= (lpad(to_hex((extract(epoch FROM e.created_at) * 1000)::bigint), 12, '0')"
          + " || '00000000000000000000')::uuid"
          + " AND v.data->>'accountId' = a.id::text AND (v.data->>'seq')::bigint = e.seq) m ON true";
  private static final String TAIL =
      "SELECT a.last_seq AS account_last_seq, a.balance AS account_balance,"
          + " a.balance - a.pending_debits + a.overdraft_limit AS account_available, e.*, "
          + TRANSFER_COLUMNS
          + ", m.monitors_triggered"
          + " FROM accounts a LEFT JOIN LATERAL (SELECT account_id, seq, transfer_id, kind, amount,"
          + " balance_after, counterparty_account_id, status, description, created_at, effective_at FROM entries"
          + " WHERE account_id = a.id AND seq > $2 ORDER BY seq LIMIT $3) e ON true"
          + TRANSFER_JOIN
          + MONITORS_TRIGGERED
          + " WHERE a.id = $1 AND ($4::uuid IS NULL OR a.owner_id = $4) ORDER BY e.seq";
  private static final String LAST_SEQS = "SELECT id, last_seq FROM accounts WHERE id = ANY($1)";
  // Ownership of many accounts in one probe: a stream's subscribe message checks all its accounts
  // with one query, not one each.
  private static final String OWNED_LAST_SEQS =
      "SELECT id, last_seq FROM accounts WHERE id = ANY($1) AND owner_id = $2";

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

  /**
   * Up to {@code limit} entries of the account after seq {@code after}, oldest first, with its
   * state; {@code owner} null reads any account, else only that user's (not-found otherwise).
   */
  public Future<JournalTail> tail(
      UUID owner, UUID account, long after, int limit, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(TAIL)
                .execute(Tuple.of(account, after, limit, owner))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
                      }
                      List<Entry> entries = new ArrayList<>();
                      Map<Long, JsonArray> triggered = new HashMap<>();
                      Row first = rows.iterator().next();
                      rows.forEach(
                          row -> {
                            if (row.getValue("seq") != null) {
                              entries.add(Entry.from(row));
                              Object fired = row.getValue("monitors_triggered");
                              if (fired != null) {
                                triggered.put(row.getLong("seq"), (JsonArray) fired);
                              }
                            }
                          });
                      return new JournalTail(
                          account,
                          entries,
                          first.getLong("account_last_seq"),
                          first.getLong("account_balance"),
                          first.getLong("account_available"),
                          triggered);
                    }));
  }

  /**
   * The last seq of each of {@code accounts} that {@code owner} owns (the others are left out),
   * read at least as fresh as {@code token}.
   */
  public Future<Map<UUID, Long>> ownedLastSeqs(
      UUID owner, Collection<UUID> accounts, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(OWNED_LAST_SEQS)
                .execute(Tuple.of(accounts.toArray(UUID[]::new), owner))
                .map(EntryService::seqsById));
  }

  private static Map<UUID, Long> seqsById(RowSet<Row> rows) {
    Map<UUID, Long> seqs = new HashMap<>();
    rows.forEach(row -> seqs.put(row.getUUID(0), row.getLong(1)));
    return seqs;
  }

  /** The last seq of each of {@code accounts} that exists, as the replica (or primary) has it. */
  public Future<Map<UUID, Long>> lastSeqs(Collection<UUID> accounts) {
    return reads.read(
        ConsistencyToken.NONE,
        pool ->
            pool.preparedQuery(LAST_SEQS)
                .execute(Tuple.of(accounts.toArray(UUID[]::new)))
                .map(EntryService::seqsById));
  }
}
