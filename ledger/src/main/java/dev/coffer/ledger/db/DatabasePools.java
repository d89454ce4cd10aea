package dev.coffer.ledger.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** The two Postgres pools: writes go to the primary, reads to the streaming replica. */
public final class DatabasePools {
  private final Pool primary;
  private final Pool replica;

  private DatabasePools(Pool primary, Pool replica) {
    this.primary = primary;
    this.replica = replica;
  }

  /** Creates both pools; nothing connects until the first query. */
  public static DatabasePools create(Vertx vertx, DatabaseSettings settings) {
    return new DatabasePools(
        pool(vertx, "coffer-primary", settings.primary(), settings.primaryPoolSize(), settings),
        pool(vertx, "coffer-replica", settings.replica(), settings.replicaPoolSize(), settings));
  }

  private static Pool pool(
      Vertx vertx, String name, PgConnectOptions connect, int size, DatabaseSettings settings) {
    PgConnectOptions options = new PgConnectOptions(connect).setCachePreparedStatements(true);
    PoolOptions poolOptions =
        new PoolOptions()
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
    return PgBuilder.pool().with(poolOptions).connectingTo(options).using(vertx).build();
  }

  public Pool primary() {
    return primary;
  }

  public Pool replica() {
    return replica;
  }

  /** Closes both pools. */
  public Future<Void> close() {
    return Future.all(primary.close(), replica.close()).mapEmpty();
  }
}
