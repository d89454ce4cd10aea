package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Every SQL statement about transfers. The rules themselves live in the coffer_* functions. */
final class TransferSql {
  private static final String MOVE =
      "SELECT * FROM coffer_book($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)";
  private static final String REVERSE = "SELECT * FROM coffer_reverse($1, $2, $3, $4, $5, $6)";
  private static final String SETTLE = "SELECT * FROM coffer_settle($1, $2, $3)";
  private static final String LOCK_ACCOUNTS =
      "SELECT id FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  // A pending transfer past its expiry reads as expired, whether or not the sweeper has come by.
  private static final String FIND =
      "SELECT t.id, t.kind, t.from_account_id, t.to_account_id, t.amount, t.currency,"
          + " CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired'"
          + " ELSE t.status END AS status,"
          + " t.description, t.created_at, t.posted_at, t.expires_at, t.reversal_of,"
          + " t.reversed_amount, t.metadata"
          + " FROM transfers t WHERE t.id = $1 AND EXISTS (SELECT 1 FROM accounts a"
          + " WHERE a.id IN (t.from_account_id, t.to_account_id) AND a.owner_id = $2)";
  private static final String EXPIRE_DUE = "SELECT coffer_expire_due($1)";

  private TransferSql() {}

  static Future<Transfer> move(SqlConnection conn, UUID owner, TransferRequest request) {
    return conn.preparedQuery(MOVE)
        .execute(moveArgs(Uuids.timeOrdered(), owner, request))
        .map(TransferSql::single);
  }

  static Future<Transfer> settle(SqlConnection conn, UUID owner, UUID id, TransferStatus outcome) {
    return conn.preparedQuery(SETTLE)
        .execute(Tuple.of(id, owner, outcome.wire()))
        .map(TransferSql::single);
  }

  static Future<Transfer> reverse(SqlConnection conn, UUID owner, Reversal r) {
    return conn.preparedQuery(REVERSE)
        .execute(
            Tuple.from(
                new Object[] {
                  Uuids.timeOrdered(),
                  r.original(),
                  owner,
                  r.amount(),
                  r.description(),
                  Metadata.json(r.metadata())
                }))
        .map(TransferSql::single);
  }

  static Future<Void> lockAccounts(SqlConnection conn, Collection<UUID> ids) {
    return conn.preparedQuery(LOCK_ACCOUNTS).execute(Tuple.of(ids.toArray(UUID[]::new))).mapEmpty();
  }

  static Future<Transfer> find(SqlClient client, UUID owner, UUID id) {
    return client
        .preparedQuery(FIND)
        .execute(Tuple.of(id, owner))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such transfer");
              }
              return single(rows);
            });
  }

  static Future<Integer> expireDue(SqlClient client, int limit) {
    return client
        .preparedQuery(EXPIRE_DUE)
        .execute(Tuple.of(limit))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  static Tuple moveArgs(UUID id, UUID owner, TransferRequest r) {
    Integer pendingSeconds = r.pendingFor() == null ? null : (int) r.pendingFor().toSeconds();
    return Tuple.from(
        new Object[] {
          id,
          r.kind().wire(),
          r.from(),
          r.to(),
          r.amount(),
          owner,
          pendingSeconds,
          r.description(),
          Metadata.json(r.metadata())
        });
  }

  static List<UUID> ids(Iterable<Row> rows) {
    List<UUID> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.getUUID(0)));
    return ids;
  }

  private static Transfer single(RowSet<Row> rows) {
    return Transfer.from(rows.iterator().next());
  }
}
