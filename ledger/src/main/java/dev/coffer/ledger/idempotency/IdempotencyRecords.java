package dev.coffer.ledger.idempotency;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.function.Function;

/**
 * Idempotency records, written in the same transaction as the money they answer for: a crash leaves
 * both or neither.
 */
public final class IdempotencyRecords {
  // Held until the transaction ends: a second request with the same key, while the first has not
  // committed, finds it taken and is told so instead of waiting or applying twice.
  private static final String TRY_LOCK =
      "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))";
  private static final String FIND =
      "SELECT fingerprint, response_status, response_body FROM idempotency_keys"
          + " WHERE user_id = $1 AND key = $2";
  private static final String INSERT =
      "INSERT INTO idempotency_keys (user_id, key, fingerprint, response_status, response_body)"
          + " VALUES ($1, $2, $3, $4, $5)";
  private static final String PURGE =
      "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)";

  private IdempotencyRecords() {}

  /**
   * Inside the caller's transaction: replays the stored answer for {@code key}, or runs {@code
   * work} and stores {@code render} of its result.
   */
  public static <T> Future<Outcome<T>> once(
      SqlConnection conn,
      IdempotencyKey key,
      Function<SqlConnection, Future<T>> work,
      Function<T, StoredResponse> render) {
    Tuple userAndKey = Tuple.of(key.userId(), key.key());
    // Both sent at once: the server runs them in order, so the lookup's snapshot is taken after
    // the lock is held and sees a record committed by whoever held it before. Without the lock
    // the lookup's answer is not used.
    Future<RowSet<Row>> locked =
        conn.preparedQuery(TRY_LOCK).execute(Tuple.of(key.userId().toString(), key.key()));
    Future<RowSet<Row>> lookup = conn.preparedQuery(FIND).execute(userAndKey);
    return locked
        .compose(
            lock -> {
              if (!lock.iterator().next().getBoolean(0)) {
                return Future.failedFuture(
                    new LedgerException(
                        LedgerError.IDEMPOTENCY_REQUEST_IN_PROGRESS,
                        "a request with this Idempotency-Key is still running"));
              }
              return lookup;
            })
        .compose(
            found -> {
              if (found.size() > 0) {
                return Future.succeededFuture(replay(found.iterator().next(), key));
              }
              return work.apply(conn)
                  .compose(
                      value -> {
                        StoredResponse response = render.apply(value);
                        return conn.preparedQuery(INSERT)
                            .execute(
                                Tuple.of(
                                    key.userId(),
                                    key.key(),
                                    key.fingerprint(),
                                    response.status(),
                                    Buffer.buffer(response.body())))
                            .map(ignored -> new Outcome<>(value, response, false));
                      });
            });
  }

  private static <T> Outcome<T> replay(Row row, IdempotencyKey key) {
    if (!row.getString("fingerprint").equals(key.fingerprint())) {
      throw new LedgerException(
          LedgerError.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was used for a different request");
    }
    return new Outcome<>(
        null,
        new StoredResponse(
            row.getInteger("response_status"), row.getBuffer("response_body").getBytes()),
        true);
  }

  /** Deletes records older than {@code keep}; returns how many. */
  public static Future<Integer> purge(Pool primary, Duration keep) {
    return primary
        .preparedQuery(PURGE)
        .execute(Tuple.of(keep.toSeconds()))
        .map(rows -> rows.rowCount());
  }
}
