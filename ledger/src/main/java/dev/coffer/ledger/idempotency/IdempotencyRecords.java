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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
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
  // The same three for a group of keys (group commit), one statement each; a row's n is its key's
  // 1-based place in the arrays. The lock's key is the single form's, so both exclude each other.
  private static final String TRY_LOCK_ALL =
      "SELECT pg_try_advisory_xact_lock(hashtextextended(k.u || ':' || k.k, 0))"
          + " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(u, k, n) ORDER BY k.n";
  private static final String FIND_ALL =
      "SELECT k.n::int AS n, i.fingerprint, i.response_status, i.response_body"
          + " FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS k(u, k, n)"
          + " JOIN idempotency_keys i ON i.user_id = k.u AND i.key = k.k";
  private static final String INSERT_ALL =
      "INSERT INTO idempotency_keys (user_id, key, fingerprint, response_status, response_body)"
          + " SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bytea[])";
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
                return Future.failedFuture(inProgress());
              }
              return lookup;
            })
        .compose(
            found -> {
              if (found.size() > 0) {
                return Future.succeededFuture(
                    new Outcome<T>(null, stored(found.iterator().next(), key), true));
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

  /**
   * For a group of keys, inside the caller's transaction: tries each key's lock, then looks the
   * keys up (sent together; the lookup's snapshot follows the locks). Slot i of the answer is null
   * when key i is now held and unused; otherwise a completed future: the stored response to replay,
   * or the refusal (in progress, reused for a different request).
   */
  public static Future<List<Future<StoredResponse>>> claimAll(
      SqlConnection conn, List<IdempotencyKey> keys) {
    int n = keys.size();
    UUID[] users = new UUID[n];
    String[] userTexts = new String[n];
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      users[i] = keys.get(i).userId();
      userTexts[i] = users[i].toString();
      names[i] = keys.get(i).key();
    }
    Future<RowSet<Row>> locked =
        conn.preparedQuery(TRY_LOCK_ALL).execute(Tuple.from(new Object[] {userTexts, names}));
    Future<RowSet<Row>> lookup =
        conn.preparedQuery(FIND_ALL).execute(Tuple.from(new Object[] {users, names}));
    List<Future<StoredResponse>> claims = new ArrayList<>(Collections.nCopies(n, null));
    return locked
        .compose(
            locks -> {
              int i = 0;
              for (Row row : locks) {
                if (!row.getBoolean(0)) {
                  claims.set(i, Future.failedFuture(inProgress()));
                }
                i++;
              }
              return lookup;
            })
        .map(
            found -> {
              for (Row row : found) {
                int i = row.getInteger("n") - 1;
                if (claims.get(i) == null) {
                  try {
                    claims.set(i, Future.succeededFuture(stored(row, keys.get(i))));
                  } catch (LedgerException reused) {
                    claims.set(i, Future.failedFuture(reused));
                  }
                }
              }
              return claims;
            });
  }

  /** Stores the answers for a group of claimed keys, in the caller's transaction. */
  public static Future<Void> storeAll(
      SqlConnection conn, List<IdempotencyKey> keys, List<StoredResponse> responses) {
    int n = keys.size();
    UUID[] users = new UUID[n];
    String[] names = new String[n];
    String[] fingerprints = new String[n];
    Integer[] statuses = new Integer[n];
    Buffer[] bodies = new Buffer[n];
    for (int i = 0; i < n; i++) {
      IdempotencyKey key = keys.get(i);
      users[i] = key.userId();
      names[i] = key.key();
      fingerprints[i] = key.fingerprint();
      statuses[i] = responses.get(i).status();
      bodies[i] = Buffer.buffer(responses.get(i).body());
    }
    return conn.preparedQuery(INSERT_ALL)
        .execute(Tuple.from(new Object[] {users, names, fingerprints, statuses, bodies}))
        .mapEmpty();
  }

  private static LedgerException inProgress() {
    return new LedgerException(
        LedgerError.IDEMPOTENCY_REQUEST_IN_PROGRESS,
        "a request with this Idempotency-Key is still running");
  }

  // The answer stored for key, unless it was stored for a different request.
  private static StoredResponse stored(Row row, IdempotencyKey key) {
    if (!row.getString("fingerprint").equals(key.fingerprint())) {
      throw new LedgerException(
          LedgerError.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was used for a different request");
    }
    return new StoredResponse(
        row.getInteger("response_status"), row.getBuffer("response_body").getBytes());
  }

  /** Deletes records older than {@code keep}; returns how many. */
  public static Future<Integer> purge(Pool primary, Duration keep) {
    return primary
        .preparedQuery(PURGE)
        .execute(Tuple.of(keep.toSeconds()))
        .map(rows -> rows.rowCount());
  }
}
