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
import java.time.OffsetDateTime;
import java.util.UUID;

/** Opens streams over whole journals (or a time range of one), for exports. */
public final class JournalReader {
  private static final String OWNED = "SELECT 1 FROM accounts WHERE id = $1 AND owner_id = $2";
  private static final String ENTRIES =
      "SELECT seq, transfer_id, kind, amount, balance_after, counterparty_account_id, status,"
          + " description, created_at, hash FROM entries WHERE account_id = $1"
          + " AND created_at >= coalesce($2::timestamptz, '-infinity') AND created_at < coalesce($3::timestamptz, 'infinity')"
          + " ORDER BY seq";

  private final ReadRouter reads;
  private final int fetchSize;

  public JournalReader(ReadRouter reads, int fetchSize) {
    this.reads = reads;
    this.fetchSize = fetchSize;
  }

  /**
   * The entries of {@code owner}'s {@code account} created in [{@code from}, {@code to}) (null: no
   * bound), oldest first; fails with not-found before anything is read when the account is not the
   * owner's. Read from the replica when it has the token's writes (else the primary), on one
   * connection inside one transaction: a cursor lives only as long as its transaction.
   */
  public Future<JournalStream> open(
      UUID owner, UUID account, OffsetDateTime from, OffsetDateTime to, ConsistencyToken token) {
    return reads
        .pool(token)
        .compose(pool -> connect(pool).recover(e -> connect(reads.primary())))
        .compose(
            conn ->
                conn.begin()
                    .compose(tx -> stream(conn, tx, owner, account, from, to))
                    .onFailure(e -> conn.close()));
  }

  private static Future<SqlConnection> connect(Pool pool) {
    return pool.getConnection();
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
