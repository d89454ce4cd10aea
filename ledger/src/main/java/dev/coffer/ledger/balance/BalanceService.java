package dev.coffer.ledger.balance;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An account's balance now, as of a time, or after one of its entries: each one round trip, and the
 * past ones one index probe per monthly partition of the journal, whatever the account's size.
 */
public final class BalanceService {
  // Now: the account row, with reservations past their expiry already released (as GET account).
  private static final String NOW =
      "SELECT id, currency, last_seq AS seq, balance,"
          + " pending_debits - coffer_due_debits(id, now()) AS pending_debits,"
          + " pending_credits - coffer_due_credits(id, now()) AS pending_credits,"
          + " overdraft_limit, last_booked_at AS booked_at"
          + " FROM accounts WHERE id = $1 AND owner_id = $2";
  // As of $3: the last entry booked at or before it (booked_at is monotonic in seq, so these
  // entries are a prefix of the journal); created_at <= booked_at prunes later partitions.
  private static final String AT =
      "SELECT a.id, a.currency, a.overdraft_limit, a.last_seq, coalesce(e.seq, 0) AS seq,"
          + " coalesce(e.balance_after, 0) AS balance,"
          + " coalesce(e.pending_debits_after, 0) AS pending_debits,"
          + " coalesce(e.pending_credits_after, 0) AS pending_credits, e.booked_at"
          + " FROM accounts a LEFT JOIN LATERAL (SELECT seq, balance_after, pending_debits_after,"
          + " pending_credits_after, booked_at FROM entries WHERE account_id = a.id"
          + " AND booked_at <= $3 AND created_at <= $3 ORDER BY booked_at DESC, seq DESC LIMIT 1) e"
          + " ON true WHERE a.id = $1 AND a.owner_id = $2";
  // As of $3 by effective time: the balance booked by then, plus the back-dated entries booked
  // later but effective by then (an entry is never effective after its booking, so no entry
  // booked by $3 counts later); only back-dated entries are in that index.
  private static final String AT_EFFECTIVE =
      "SELECT a.id, a.currency, a.overdraft_limit, a.last_seq, coalesce(e.seq, 0) AS seq,"
          + " coalesce(e.balance_after, 0) + coalesce((SELECT sum(b.amount) FROM entries b"
          + " WHERE b.account_id = a.id AND b.effective_at IS NOT NULL AND b.effective_at <= $3"
          + " AND b.booked_at > $3), 0) AS balance,"
          + " coalesce(e.pending_debits_after, 0) AS pending_debits,"
          + " coalesce(e.pending_credits_after, 0) AS pending_credits, e.booked_at"
          + " FROM accounts a LEFT JOIN LATERAL (SELECT seq, balance_after, pending_debits_after,"
          + " pending_credits_after, booked_at FROM entries WHERE account_id = a.id"
          + " AND booked_at <= $3 AND created_at <= $3 ORDER BY booked_at DESC, seq DESC LIMIT 1) e"
          + " ON true WHERE a.id = $1 AND a.owner_id = $2";
  private static final String AFTER_SEQ =
      "SELECT a.id, a.currency, a.overdraft_limit, a.last_seq, e.seq,"
          + " e.balance_after AS balance, e.pending_debits_after AS pending_debits,"
          + " e.pending_credits_after AS pending_credits, e.booked_at"
          + " FROM accounts a LEFT JOIN entries e ON e.account_id = a.id AND e.seq = $3"
          + " WHERE a.id = $1 AND a.owner_id = $2";

  private final ReadRouter reads;

  public BalanceService(ReadRouter reads) {
    this.reads = reads;
  }

  /** The balance of {@code owner}'s account now. */
  public Future<Balance> now(UUID owner, UUID account, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(NOW)
                .execute(Tuple.of(account, owner))
                .map(rows -> Balance.from(owned(rows))));
  }

  /** The balance after the last entry booked at or before {@code at}; zero before the first. */
  public Future<Balance> at(UUID owner, UUID account, OffsetDateTime at, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(AT)
                .execute(Tuple.of(account, owner, at))
                .map(rows -> Balance.from(owned(rows))));
  }

  /**
   * The balance as of {@code at} by {@code basis}: {@link TimeBasis#BOOKED} as {@link #at}; {@link
   * TimeBasis#EFFECTIVE} counts back-dated moves from when they are effective ({@code seq} and
   * {@code bookedAt} still name the last entry booked by then; reservations are never back-dated).
   */
  public Future<Balance> at(
      UUID owner, UUID account, OffsetDateTime at, TimeBasis basis, ConsistencyToken token) {
    if (basis == TimeBasis.BOOKED) {
      return at(owner, account, at, token);
    }
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(AT_EFFECTIVE)
                .execute(Tuple.of(account, owner, at))
                .map(rows -> Balance.from(owned(rows))));
  }

  /** The balance right after entry {@code seq} (0: before the first entry). */
  public Future<Balance> afterSeq(UUID owner, UUID account, long seq, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(AFTER_SEQ)
                .execute(Tuple.of(account, owner, seq))
                .map(
                    rows -> {
                      Row row = owned(rows);
                      if (seq > row.getLong("last_seq")) {
                        throw new LedgerException(
                            LedgerError.NOT_FOUND, "the account has no entry " + seq + " yet");
                      }
                      if (seq == 0) {
                        return new Balance(
                            account,
                            row.getString("currency"),
                            0,
                            0,
                            0,
                            0,
                            row.getLong("overdraft_limit"),
                            null);
                      }
                      if (row.getValue("seq") == null) {
                        throw new LedgerException(
                            LedgerError.NOT_FOUND,
                            "entry "
                                + seq
                                + " is no longer in the journal (its month is archived)");
                      }
                      return Balance.from(row);
                    }));
  }

  private static Row owned(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
    }
    return rows.iterator().next();
  }
}
