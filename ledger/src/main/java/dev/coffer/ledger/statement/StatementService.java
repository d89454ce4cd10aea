package dev.coffer.ledger.statement;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.entry.Entry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Statements: an account's entries booked in [from, to), with the balances around them and their
 * totals. Both ends are found as a balance as of a time is (changeset 007): the last entry booked
 * before the bound, one descending probe of {@code entries_as_of} per monthly partition. The totals
 * read the entries between the two by primary key (account, seq): the cost grows with the
 * statement's entries, never with the journal or the account's history before {@code from}.
 */
public final class StatementService {
  private static final String ZERO_HASH = "0".repeat(64);

  // The last entry booked before $3 (opening) and before $4 (closing); then the entries between,
  // each one's balance change being its balance_after less the previous one's (the opening
  // balance for the first).
  private static final String SUMMARY =
      "WITH a AS (SELECT id, currency FROM accounts WHERE id = $1 AND owner_id = $2),"
          + " o AS (SELECT seq, balance_after, hash FROM entries WHERE account_id = $1"
          + "   AND booked_at < $3 AND created_at < $3 ORDER BY booked_at DESC, seq DESC LIMIT 1),"
          + " c AS (SELECT seq, balance_after, hash FROM entries WHERE account_id = $1"
          + "   AND booked_at < $4 AND created_at < $4 ORDER BY booked_at DESC, seq DESC LIMIT 1),"
          + " d AS (SELECT e.balance_after - coalesce(lag(e.balance_after) OVER (ORDER BY e.seq),"
          + "   (SELECT balance_after FROM o), 0) AS change FROM entries e"
          + "   WHERE e.account_id = $1 AND e.seq > coalesce((SELECT seq FROM o), 0)"
          + "   AND e.seq <= coalesce((SELECT seq FROM c), 0) AND e.created_at < $4)"
          + " SELECT a.id, a.currency,"
          + " coalesce((SELECT seq FROM o), 0) AS opening_seq,"
          + " coalesce((SELECT balance_after FROM o), 0) AS opening_balance,"
          + " (SELECT hash FROM o) AS opening_hash,"
          + " coalesce((SELECT seq FROM c), 0) AS closing_seq,"
          + " coalesce((SELECT balance_after FROM c), 0) AS closing_balance,"
          + " (SELECT hash FROM c) AS closing_hash,"
          + " (SELECT coalesce(sum(change) FILTER (WHERE change > 0), 0)::bigint FROM d) AS total_in,"
          + " (SELECT coalesce(-sum(change) FILTER (WHERE change < 0), 0)::bigint FROM d) AS total_out,"
          + " (SELECT count(*) FROM d) AS entry_count,"
          + " (SELECT count(*) FILTER (WHERE change > 0) FROM d) AS credit_count,"
          + " (SELECT count(*) FILTER (WHERE change < 0) FROM d) AS debit_count"
          + " FROM a";
  // Entries $2 < seq <= $3, oldest first, up to $4, with the entry at $2 read too (and dropped)
  // for the first one's balance change; the transfer's metadata by one probe per entry.
  private static final String LINES =
      "SELECT x.*, t.metadata, t.reversal_of FROM (SELECT account_id, seq, transfer_id, kind,"
          + " amount, balance_after, counterparty_account_id, status, description, created_at,"
          + " effective_at, balance_after - coalesce(lag(balance_after) OVER (ORDER BY seq), 0) AS change"
          + " FROM entries WHERE account_id = $1 AND seq >= $2 AND seq <= $3 AND created_at < $5"
          + " ORDER BY seq LIMIT $4 + 1) x"
          + " LEFT JOIN LATERAL (SELECT metadata, reversal_of FROM transfers"
          + " WHERE id = x.transfer_id) t ON true"
          + " WHERE x.seq > $2 ORDER BY x.seq";

  private final ReadRouter reads;

  public StatementService(ReadRouter reads) {
    this.reads = reads;
  }

  /** The statement of {@code owner}'s account for [{@code from}, {@code to}). */
  public Future<Statement> statement(
      UUID owner, UUID account, OffsetDateTime from, OffsetDateTime to, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(SUMMARY)
                .execute(Tuple.of(account, owner, from, to))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
                      }
                      Row row = rows.iterator().next();
                      return new Statement(
                          account,
                          row.getString("currency"),
                          from,
                          to,
                          row.getLong("opening_seq"),
                          row.getLong("opening_balance"),
                          hex(row.getBuffer("opening_hash")),
                          row.getLong("closing_seq"),
                          row.getLong("closing_balance"),
                          hex(row.getBuffer("closing_hash")),
                          row.getLong("total_in"),
                          row.getLong("total_out"),
                          row.getLong("entry_count"),
                          row.getLong("credit_count"),
                          row.getLong("debit_count"));
                    }));
  }

  /**
   * Up to {@code limit} of {@code statement}'s entries after seq {@code after} (null: from its
   * first), oldest first.
   */
  public Future<List<StatementLine>> lines(
      Statement statement, Long after, int limit, ConsistencyToken token) {
    long from = after == null ? statement.openingSeq() : Math.max(after, statement.openingSeq());
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(LINES)
                .execute(
                    Tuple.of(
                        statement.accountId(), from, statement.closingSeq(), limit, statement.to()))
                .map(
                    rows -> {
                      List<StatementLine> lines = new ArrayList<>();
                      for (Row row : rows) {
                        lines.add(new StatementLine(Entry.from(row), row.getLong("change")));
                      }
                      return lines;
                    }));
  }

  private static String hex(io.vertx.core.buffer.Buffer hash) {
    return hash == null ? ZERO_HASH : HexFormat.of().formatHex(hash.getBytes());
  }
}
