package dev.coffer.ledger.journal;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Opens streams over whole journals (or a time range of one), for exports. */
public final class JournalReader {
  private static final String OWNED = "SELECT 1 FROM accounts WHERE id = $1 AND owner_id = $2";
  private static final String ENTRIES =
      "SELECT seq, transfer_id, kind, amount, balance_after, counterparty_account_id, status,"
          + " description, created_at, effective_at, hash FROM entries WHERE account_id = $1"
          + " AND created_at >= coalesce($2::timestamptz, '-infinity') AND created_at < coalesce($3::timestamptz, 'infinity')"
          + " ORDER BY seq";

  /** How long an export waits for the replica to replay the caller's writes (it takes ms). */
  public static final Duration CATCH_UP = Duration.ofSeconds(2);

  private final ReadRouter reads;
  private final int fetchSize;

  public JournalReader(ReadRouter reads, int fetchSize) {
    this.reads = reads;
    this.fetchSize = fetchSize;
  }

  /**
   * The entries of {@code owner}'s {@code account} created in [{@code from}, {@code to}) (null: no
   * bound), oldest first; fails with not-found before anything is read when the account is not the
   * owner's. Read on one connection inside one transaction (a cursor lives only as long as its
   * transaction), always from the replica, once it has the token's writes: an export holds its
   * connection for as long as its client takes to read, and never on the primary, where it would
   * hold the connections that writes, the expiry sweeper and the webhook dispatcher need. A replica
   * that cannot serve it (down, lagging, still behind the token after {@link #CATCH_UP}, or its
   * holding pool busy past the connect timeout) fails the export, never moves it.
   */
  public Future<JournalStream> open(
      UUID owner, UUID account, OffsetDateTime from, OffsetDateTime to, ConsistencyToken token) {
    return reads
        .replicaOnly(token, CATCH_UP)
        .compose(Pool::getConnection)
        .compose(
            conn ->
                conn.begin()
                    .compose(tx -> stream(conn, tx, owner, account, from, to))
                    .onFailure(e -> conn.close()));
  }

  private Future<JournalStream> stream(
      SqlConnection conn,
      Transaction tx,
      UUID owner,
      UUID account,
      OffsetDateTime from,
      OffsetDateTime to) {
    return conn.preparedQuery(OWNED)
        .execute(Tuple.of(account, owner))
        .compose(
            owned -> {
              if (owned.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
              }
              return conn.prepare(ENTRIES);
            })
        .map(
            statement ->
                new JournalStream(
                    account,
                    statement.createStream(fetchSize, Tuple.of(account, from, to)),
                    () -> tx.rollback().transform(ar -> conn.close())));
  }
}
