package dev.coffer.ledger.db;

import dev.coffer.ledger.LedgerException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Sends reads to the replica when it is at least as fresh as the caller's token, else to the
 * primary. The replica's replay position is sampled about once a second (and again on demand when a
 * token is newer than the sample), so the common read costs no extra round trip.
 */
public final class ReadRouter {
  private static final Logger LOG = Logger.getLogger(ReadRouter.class.getName());
  private static final String REPLAY =
      // An idle replica that has replayed all it received is not lagging, however old its last
      // replayed transaction is.
      "SELECT pg_last_wal_replay_lsn()::text, CASE WHEN pg_last_wal_receive_lsn() ="
          + " pg_last_wal_replay_lsn() THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now()"
          + " - pg_last_xact_replay_timestamp()), 0) END";
  private static final String PRIMARY_LSN = "SELECT pg_current_wal_lsn()::text";
  // Where the next WAL record goes: past every token a write was given (tokens are insert
  // positions, which may be ahead of what is written yet), so a token past it names no write.
  private static final String PRIMARY_INSERT_LSN = "SELECT pg_current_wal_insert_lsn()::text";

  private final Pool primary;
  private final Pool replica;
  private final SqlClient replicaReads;
  private final Duration maxLag;
  private final AtomicLong replayedLsn = new AtomicLong();
  // The primary's WAL position when last sampled (0 until then).
  private final AtomicLong primaryLsn = new AtomicLong();
  private final AtomicLong lagBytes = new AtomicLong(-1);
  private final AtomicLong lagMillis = new AtomicLong(-1);
  // Bumped when the replica pools move to another server: a replay position sampled before that
  // is the old server's, and is dropped rather than put back.
  private final AtomicLong replicaGeneration = new AtomicLong();
  private volatile long replicaDownUntilNanos;

  public ReadRouter(Pool primary, Pool replica, Duration maxLag) {
    this(primary, replica, replica, maxLag);
  }

  /**
   * As {@link #ReadRouter(Pool, Pool, Duration)}, with single-statement reads on the replica sent
   * through {@code replicaReads} (a pipelining client of the same replica).
   */
  public ReadRouter(Pool primary, Pool replica, SqlClient replicaReads, Duration maxLag) {
    this.primary = primary;
    this.replica = replica;
    this.replicaReads = replicaReads;
    this.maxLag = maxLag;
  }

  /** Samples the replica's lag every {@code period}; returns the timer id. */
  public long startSampling(Vertx vertx, Duration period) {
    return vertx.setPeriodic(period.toMillis(), id -> sample());
  }

  /**
   * Runs {@code query} (statements sent through the client it is given, never a connection taken
   * from it) where its result is at least as fresh as {@code token}.
   */
  public <T> Future<T> read(ConsistencyToken token, Function<SqlClient, Future<T>> query) {
    return route(token, query, replicaReads, primary);
  }

  /**
   * As {@link #read}, for a query that takes a connection of its own from the pool it is given (a
   * transaction, for one snapshot across several statements).
   */
  public <T> Future<T> readOnConnection(ConsistencyToken token, Function<Pool, Future<T>> query) {
    return route(token, query, replica, primary);
  }

  // The one routing decision: the replica when it is fresh enough (asked again when the sample is
  // older than the token), else the primary.
  private <C, T> Future<T> route(
      ConsistencyToken token, Function<? super C, Future<T>> query, C onReplica, C onPrimary) {
    if (token.equals(ConsistencyToken.LATEST) || replicaUnusable()) {
      return query.apply(onPrimary);
    }
    if (Long.compareUnsigned(token.lsn(), replayedLsn.get()) <= 0) {
      return onReplica(query, onReplica, onPrimary);
    }
    return refreshReplay()
        .compose(
            replayed ->
                Long.compareUnsigned(token.lsn(), replayed) <= 0
                    ? onReplica(query, onReplica, onPrimary)
                    : query.apply(onPrimary),
            failure -> query.apply(onPrimary));
  }

  /**
   * The pool a read that must be at least as fresh as {@code token} should use, for a read that
   * cannot be re-run on another pool once it has started (a stream whose rows are already sent).
   */
  public Future<Pool> pool(ConsistencyToken token) {
    return route(token, Future::succeededFuture, replica, primary);
  }

  /**
   * The replica's holding pool, once the replica has {@code token}'s writes, for a read that must
   * never move to the primary (an export: it holds its connection for as long as its client reads,
   * and on the primary it would hold the connections writes need). A replica behind the token is
   * asked again every {@value #CATCH_UP_POLL_MS} ms for up to {@code wait}; a replica marked down
   * or lagging past the limit, or still behind then, fails with {@link
   * ReplicaUnavailableException}.
   */
  public Future<Pool> replicaOnly(ConsistencyToken token, Duration wait) {
    if (replicaUnusable()) {
      return Future.failedFuture(
          new ReplicaUnavailableException("the replica is unreachable or lagging"));
    }
    if (!token.equals(ConsistencyToken.LATEST)
        && Long.compareUnsigned(token.lsn(), replayedLsn.get()) <= 0) {
      return Future.succeededFuture(replica);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    return written(token).compose(t -> caughtUp(t, deadline));
  }

  // A token past everything the primary has written names no write (a client's made-up one, or
  // LATEST): what it asks for is everything written so far. Asked of the primary (one statement,
  // no connection held) only when the token is past the last sampled position, so a replica that
  // could never reach a made-up position is not waited for in vain.
  private Future<ConsistencyToken> written(ConsistencyToken token) {
    if (Long.compareUnsigned(token.lsn(), primaryLsn.get()) <= 0) {
      return Future.succeededFuture(token);
    }
    return primary
        .query(PRIMARY_INSERT_LSN)
        .execute()
        .map(
            rows -> {
              long now = ConsistencyToken.fromPgLsn(rows.iterator().next().getString(0)).lsn();
              primaryLsn.accumulateAndGet(now, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
              return Long.compareUnsigned(token.lsn(), now) > 0 ? new ConsistencyToken(now) : token;
            })
        .otherwise(token);
  }

  private static final long CATCH_UP_POLL_MS = 25;

  private Future<Pool> caughtUp(ConsistencyToken token, long deadline) {
    return refreshReplay()
        .recover(failure -> Future.succeededFuture(0L))
        .compose(
            replayed -> {
              if (!token.equals(ConsistencyToken.LATEST)
                  && Long.compareUnsigned(token.lsn(), replayed) <= 0) {
                return Future.succeededFuture(replica);
              }
              Context context = Vertx.currentContext();
              if (context == null || System.nanoTime() + CATCH_UP_POLL_MS * 1_000_000 > deadline) {
                return Future.failedFuture(
                    new ReplicaUnavailableException(
                        "the replica has not replayed your writes yet"));
              }
              Promise<Pool> next = Promise.promise();
              context
                  .owner()
                  .setTimer(CATCH_UP_POLL_MS, id -> caughtUp(token, deadline).onComplete(next));
              return next.future();
            });
  }

  private <C, T> Future<T> onReplica(
      Function<? super C, Future<T>> query, C replicaClient, C primaryClient) {
    return query
        .apply(replicaClient)
        .recover(
            failure -> {
              if (failure instanceof LedgerException) {
                return Future.failedFuture(failure); // the answer (not-found, say), not a fault
              }
              if (PoolSaturation.is(failure)) {
                // This instance's own pool is at its limit (its queue full, or no connection freed
                // up in time, e.g. held by exports): overload to shed (503), not a broken replica
                // whose reads the primary should take. Marking it down here would send every read
                // (and every export) to the primary, moving the overload onto the money path.
                return Future.failedFuture(failure);
              }
              if (failure instanceof PgException pg && !replicaGoingAway(pg.getSqlState())) {
                // Cancelled by a conflict with WAL replay: the primary has no such conflict.
                return "40001".equals(pg.getSqlState())
                    ? query.apply(primaryClient)
                    : Future.failedFuture(failure); // the query's own error, not the replica's
              }
              markReplicaDown(failure);
              return query.apply(primaryClient);
            });
  }

  /**
   * The replica pools now connect to another server: what was sampled of the old one's replay
   * position says nothing of the new one's, so the next read with a token asks again.
   */
  public void replicaMoved() {
    replicaGeneration.incrementAndGet();
    replayedLsn.set(0);
    lagMillis.set(-1);
  }

  // The replica shutting down or starting up (a failover manager restarting it), or its
  // connection failing: the replica's trouble, not the query's.
  private static boolean replicaGoingAway(String state) {
    return state != null
        && (state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03")
            || state.startsWith("08"));
  }

  /** Whether reads may go to the replica now (not marked down, not lagging past the limit). */
  boolean replicaUsable() {
    return !replicaUnusable();
  }

  private boolean replicaUnusable() {
    return System.nanoTime() < replicaDownUntilNanos || lagMillis.get() > maxLag.toMillis();
  }

  private void markReplicaDown(Throwable failure) {
    if (System.nanoTime() >= replicaDownUntilNanos) {
      LOG.warning("replica unreachable, reading from the primary for 1 s: " + failure.getMessage());
    }
    replicaDownUntilNanos = System.nanoTime() + Duration.ofSeconds(1).toNanos();
  }

  private Future<Long> refreshReplay() {
    long generation = replicaGeneration.get();
    // Through the pipelining client: the holding pool may be full of exports, and a replay check
    // that waited behind them would fail and send reads to the primary.
    return replicaReads
        .query(REPLAY)
        .execute()
        .map(
            rows -> {
              var row = rows.iterator().next();
              long lsn = ConsistencyToken.fromPgLsn(row.getString(0)).lsn();
              if (replicaGeneration.get() == generation) {
                replayedLsn.accumulateAndGet(
                    lsn, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
                lagMillis.set(Math.round(row.getNumeric(1).doubleValue() * 1000));
              }
              return lsn;
            });
  }

  private void sample() {
    Future.all(refreshReplay(), primary.query(PRIMARY_LSN).execute())
        .onSuccess(
            all -> {
              long primaryLsn =
                  ConsistencyToken.fromPgLsn(
                          all.<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>>resultAt(1)
                              .iterator()
                              .next()
                              .getString(0))
                      .lsn();
              this.primaryLsn.accumulateAndGet(
                  primaryLsn, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
              lagBytes.set(Math.max(0, primaryLsn - replayedLsn.get()));
            })
        .onFailure(
            e -> {
              lagBytes.set(-1);
              lagMillis.set(-1);
            });
  }

  /** Bytes of WAL the replica has yet to replay, or -1 when unknown. */
  public long lagBytes() {
    return lagBytes.get();
  }

  /** Age of the replica's last replayed transaction in ms, or -1 when unknown. */
  public long lagMillis() {
    return lagMillis.get();
  }
}
