package dev.coffer.ledger.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.function.UnaryOperator;

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
  private final ServerLocator primaryLocator;
  private final ServerLocator replicaLocator;

  private DatabasePools(
      Pool primary,
      Pool replica,
      SqlClient replicaReads,
      ServerLocator primaryLocator,
      ServerLocator replicaLocator) {
    this.primary = primary;
    this.replica = replica;
    this.replicaReads = replicaReads;
    this.primaryLocator = primaryLocator;
    this.replicaLocator = replicaLocator;
  }

  /**
   * Creates the pools; nothing connects until the first query. Servers given as several hosts (or
   * with a role to check) are located for each new connection, so the pools follow a failover; the
   * replica's two pools share one locator, so that both read from the same standby.
   */
  public static DatabasePools create(Vertx vertx, DatabaseSettings settings) {
    UnaryOperator<PgConnectOptions> pipelined =
        options -> cached(options).setPipeliningLimit(settings.replicaPipelining());
    ServerLocator primaryLocator = locator(vertx, settings.primary(), settings);
    ServerLocator replicaLocator = locator(vertx, settings.replica(), settings);
    return new DatabasePools(
        connectingTo(PgBuilder.pool(), primaryLocator, settings.primary(), DatabasePools::cached)
            .with(poolOptions("coffer-primary", settings.primaryPoolSize(), settings))
            .with(transport(settings))
            .using(vertx)
            .build(),
        connectingTo(PgBuilder.pool(), replicaLocator, settings.replica(), DatabasePools::cached)
            .with(poolOptions("coffer-replica", settings.replicaHoldingPoolSize(), settings))
            .with(transport(settings))
            .using(vertx)
            .build(),
        connectingTo(PgBuilder.client(), replicaLocator, settings.replica(), pipelined)
            .with(poolOptions("coffer-replica-reads", settings.replicaReadsPoolSize(), settings))
            .with(transport(settings))
            .using(vertx)
            .build(),
        primaryLocator,
        replicaLocator);
  }

  private static ServerLocator locator(Vertx vertx, PgServers servers, DatabaseSettings settings) {
    return servers.needsLocating()
        ? new ServerLocator(vertx, servers, settings.connectTimeout(), transport(settings))
        : null;
  }

  // One server used as it is (no probe, as before multi-host URIs existed), or located.
  private static <C> ClientBuilder<C> connectingTo(
      ClientBuilder<C> builder,
      ServerLocator locator,
      PgServers servers,
      UnaryOperator<PgConnectOptions> shape) {
    return locator == null
        ? builder.connectingTo(shape.apply(new PgConnectOptions(servers.first())))
        : builder
            .connectingTo(locator.connectOptions(shape))
            .withConnectHandler(locator.verifier());
  }

  private static PgConnectOptions cached(PgConnectOptions connect) {
    return new PgConnectOptions(connect).setCachePreparedStatements(true);
  }

  /**
   * Runs {@code listener} when the replica pools start connecting to another server (the standby
   * they read from failed, or was promoted): what was known of the old one's replay no longer
   * holds.
   */
  public void onReplicaMoved(Runnable listener) {
    if (replicaLocator != null) {
      replicaLocator.onMove(listener);
    }
  }

  // A server cut off by a partition answers nothing, not even a reset: without a bound, a write
  // sent to it would wait for the kernel's retransmissions (about 15 minutes) and hold its pooled
  // connection as long. TCP_USER_TIMEOUT (Linux's epoll transport) gives the connection up once
  // sent data goes unacknowledged that long; the request is answered 503 and retried with its key.
  private static NetClientOptions transport(DatabaseSettings settings) {
    NetClientOptions transport =
        new NetClientOptions()
            .setConnectTimeout((int) settings.connectTimeout().toMillis())
            .setTcpKeepAlive(true);
    if (!settings.tcpUserTimeout().isZero()) {
      transport.setTcpUserTimeout((int) settings.tcpUserTimeout().toMillis());
    }
    return transport;
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

  /** Closes every pool, and the locators' probes. */
  public Future<Void> close() {
    return Future.all(
            primary.close(),
            replica.close(),
            replicaReads.close(),
            primaryLocator == null ? Future.succeededFuture() : primaryLocator.close(),
            replicaLocator == null ? Future.succeededFuture() : replicaLocator.close())
        .mapEmpty();
  }
}
