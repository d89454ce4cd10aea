package dev.coffer.ledger.journal;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

/**
 * Recomputes the journal's hash chain: a whole account's (streamed through a cursor, a page of rows
 * at a time, so an account of any size costs the same memory), or every entry written lately (one
 * query, for the periodic audit). Both read where {@link ReadRouter} sends reads: the replica
 * replays the primary's pages byte for byte, so it holds the same chain, and a long verification
 * there costs the primary nothing.
 */
public final class JournalVerifier {
  private static final int PAGE = 1000;
  private static final String HEAD =
      "SELECT last_seq FROM accounts WHERE id = $1 AND owner_id = $2";
  // Read after the account's last seq, in its own snapshot: entries up to it were committed with
  // it and never change (unless tampered with, which is what is looked for).
  private static final String ENTRIES =
      "SELECT seq, transfer_id, kind, amount, balance_after, counterparty_account_id, status,"
          + " description, created_at, effective_at, hash FROM entries WHERE account_id = $1 AND seq <= $2"
          + " ORDER BY seq";
  // Each entry of the window against its predecessor's stored hash (in the window, or looked up
  // for an account's first entry there): a changed field breaks its own link, a recomputed hash
  // breaks the next one.
  private static final String RECENT =
      "WITH recent AS (SELECT e.account_id, e.seq, e.transfer_id, e.kind, e.amount,"
          + " e.balance_after, e.counterparty_account_id, e.status, e.description, e.created_at,"
          + " e.effective_at, e.hash, lag(e.hash) OVER w AS prev_hash, lag(e.seq) OVER w AS prev_seq FROM entries"
          + " e WHERE e.created_at >= now() - make_interval(secs => $1)"
          + " WINDOW w AS (PARTITION BY e.account_id ORDER BY e.seq)),"
          + " checked AS (SELECT r.account_id, r.seq, r.hash, coffer_entry_hash(CASE WHEN"
          + " r.prev_seq = r.seq - 1 THEN r.prev_hash ELSE (SELECT p.hash FROM entries p WHERE"
          + " p.account_id = r.account_id AND p.seq = r.seq - 1) END, r.account_id, r.seq,"
          + " r.transfer_id, r.kind, r.amount, r.balance_after, r.counterparty_account_id,"
          + " r.status, r.description, r.created_at, r.effective_at) AS expected FROM recent r)"
          + " SELECT count(*) AS checked,"
          + " count(*) FILTER (WHERE expected IS DISTINCT FROM hash) AS broken,"
          + " min(account_id::text || ' seq ' || seq) FILTER (WHERE expected IS DISTINCT FROM"
          + " hash) AS first_broken FROM checked";

  /** What one audit of recent entries found; {@code firstBroken} names one broken entry. */
  public record Audit(long checked, long broken, String firstBroken) {}

  private final ReadRouter reads;

  public JournalVerifier(ReadRouter reads) {
    this.reads = reads;
  }

  /** Recomputes the whole chain of {@code owner}'s {@code account} (not-found otherwise). */
  public Future<JournalVerification> verify(UUID owner, UUID account, ConsistencyToken token) {
    return reads.readOnConnection(
        token,
        pool ->
            pool.withTransaction(
                conn ->
                    conn.preparedQuery(HEAD)
                        .execute(Tuple.of(account, owner))
                        .compose(
                            rows -> {
                              if (rows.size() == 0) {
                                throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
                              }
                              Row head = rows.iterator().next();
                              return walk(conn, account, head.getLong("last_seq"));
                            })));
  }

  /** Checks every entry written in the last {@code window}. */
  public Future<Audit> auditRecent(Duration window) {
    // A scan of minutes of entries: not on a pipelined connection, where reads would queue behind
    // it.
    return reads.readOnConnection(
        ConsistencyToken.NONE,
        pool ->
            pool.preparedQuery(RECENT)
                .execute(Tuple.of(window.toMillis() / 1000.0))
                .map(
                    rows -> {
                      Row row = rows.iterator().next();
                      return new Audit(
                          row.getLong("checked"),
                          row.getLong("broken"),
                          row.getString("first_broken"));
                    }));
  }

  private Future<JournalVerification> walk(SqlConnection conn, UUID account, long lastSeq) {
    Chain chain = new Chain(account);
    return conn.prepare(ENTRIES)
        .compose(
            statement -> {
              Cursor cursor = statement.cursor(Tuple.of(account, lastSeq));
              return readAll(cursor, chain).eventually(cursor::close);
            })
        .map(v -> chain.finish(lastSeq));
  }

  private Future<Void> readAll(Cursor cursor, Chain chain) {
    return cursor
        .read(PAGE)
        .compose(
            rows -> {
              for (Row row : rows) {
                if (!chain.accept(row)) {
                  return Future.succeededFuture();
                }
              }
              return cursor.hasMore() ? readAll(cursor, chain) : Future.succeededFuture();
            });
  }

  private static byte[] bytes(Buffer buffer) {
    return buffer == null ? null : buffer.getBytes();
  }

  /** The chain recomputed so far, entry by entry in seq order. */
  private static final class Chain {
    private final UUID account;
    private byte[] previous;
    private long expectedSeq = 1;
    private JournalVerification.Break firstBreak;

    Chain(UUID account) {
      this.account = account;
    }

    // False once broken: nothing after the first break is looked at.
    boolean accept(Row row) {
      long seq = row.getLong("seq");
      if (seq != expectedSeq) {
        firstBreak = new JournalVerification.Break(expectedSeq, "missing-entry", null, null);
        return false;
      }
      byte[] stored = bytes(row.getBuffer("hash"));
      byte[] expected =
          JournalHash.of(
              previous,
              new JournalHash.Fields(
                  account,
                  seq,
                  row.getUUID("transfer_id"),
                  row.getString("kind"),
                  row.getLong("amount"),
                  row.getLong("balance_after"),
                  row.getUUID("counterparty_account_id"),
                  row.getString("status"),
                  row.getString("description"),
                  row.getOffsetDateTime("created_at"),
                  row.getOffsetDateTime("effective_at")));
      if (!Arrays.equals(expected, stored)) {
        firstBreak =
            new JournalVerification.Break(
                seq, "hash-mismatch", JournalHash.hex(expected), JournalHash.hex(stored));
        return false;
      }
      previous = expected;
      expectedSeq++;
      return true;
    }

    // Entries removed from the end show against the seq the account records as its last.
    JournalVerification finish(long lastSeq) {
      long verified = expectedSeq - 1;
      if (firstBreak == null && verified != lastSeq) {
        firstBreak = new JournalVerification.Break(expectedSeq, "missing-entry", null, null);
      }
      return new JournalVerification(
          account, verified, lastSeq, JournalHash.hex(previous), firstBreak);
    }
  }
}
