package dev.coffer.ledger.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;

/**
 * The Postgres pools: writes go to the primary, reads to the streaming replica. Single-statement
 * reads on the replica go through a pipelining client (up to {@code replicaPipelining} statements
 * in flight on each of its connections: fewer system calls and wake-ups per read on both sides);
 * reads that hold a connection (a cursor, a transaction) take one of the replica pool's. The two
 * share {@code replicaPoolSize} connections, half each, so that a pod holds no more connections
 * than before the pipelining client existed.
 */
public final class DatabasePools {
  private final Pool primary;
  private final Pool replica;
  private final SqlClient replicaReads;

  private DatabasePools(Pool primary, Pool replica, SqlClient replicaReads) {
    this.primary = primary;
    this.replica = replica;
    this.replicaReads = replicaReads;
  }

  /** Creates the pools; nothing connects until the first query. */
  public static DatabasePools create(Vertx vertx, DatabaseSettings settings) {
    PgConnectOptions pipelined =
        new PgConnectOptions(settings.replica()).setPipeliningLimit(settings.replicaPipelining());
    return new DatabasePools(
        PgBuilder.pool()
            .with(poolOptions("coffer-primary", settings.primaryPoolSize(), settings))
            .connectingTo(cached(settings.primary()))
            .using(vertx)
            .build(),
        PgBuilder.pool()
            .with(poolOptions("coffer-replica", settings.replicaHoldingPoolSize(), settings))
            .connectingTo(cached(settings.replica()))
            .using(vertx)
            .build(),
        PgBuilder.client()
            .with(poolOptions("coffer-replica-reads", settings.replicaReadsPoolSize(), settings))
            .connectingTo(cached(pipelined))
            .using(vertx)
            .build());
  }

  private static PgConnectOptions cached(PgConnectOptions connect) {
    return new PgConnectOptions(connect).setCachePreparedStatements(true);
  }

  private static PoolOptions poolOptions(String name, int size, DatabaseSettings settings) {
    return new PoolOptions()
        .setName(name)
        // Shared by name, so every verticle instance uses the same connections.
        .setShared(true)
        .setMaxSize(size)
        .setMaxWaitQueueSize(settings.maxWaitQueue())
        .setConnectionTimeout((int) settings.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        // A replica restart leaves dead sockets behind: retire idle ones instead of reusing
        // them.
        .setIdleTimeout(30)
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
  }

  public Pool primary() {
    return primary;
  }

  public Pool replica() {
    return replica;
  }

  /** The replica's pipelining client, for reads of one statement. */
  public SqlClient replicaReads() {
    return replicaReads;
  }

  /** Closes every pool. */
  public Future<Void> close() {
    return Future.all(primary.close(), replica.close(), replicaReads.close()).mapEmpty();
  }
}
