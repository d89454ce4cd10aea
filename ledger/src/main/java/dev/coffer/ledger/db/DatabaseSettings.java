package dev.coffer.ledger.db;

import java.time.Duration;

/**
 * Where the primary and replica databases are (one server each, or several of which each pool finds
 * the one in the right role), how large their pools may grow, and how many reads may be in flight
 * at once on one connection of the replica's pipelining client.
 */
public record DatabaseSettings(
    PgServers primary,
    PgServers replica,
    int primaryPoolSize,
    int replicaPoolSize,
    int maxWaitQueue,
    Duration connectTimeout,
    int replicaPipelining,
    Duration tcpUserTimeout) {
  /** Reads in flight per replica connection unless set otherwise. */
  public static final int DEFAULT_REPLICA_PIPELINING = 8;

  /**
   * How long data sent to a database may go unacknowledged before the connection is given up (a
   * server cut off by the network, or a host gone, answers nothing, not even a reset).
   */
  public static final Duration DEFAULT_TCP_USER_TIMEOUT = Duration.ofSeconds(10);

  /** The replica connections of the pipelining client: half, at least one. */
  public int replicaReadsPoolSize() {
    return Math.max(1, (replicaPoolSize + 1) / 2);
  }

  /** The replica connections for reads that hold one (cursors, transactions): the rest. */
  public int replicaHoldingPoolSize() {
    return Math.max(1, replicaPoolSize - replicaReadsPoolSize());
  }

  /**
   * Settings from two {@code postgresql://user:password@host:port[,host:port...]/db} URIs and
   * default sizes.
   */
  public static DatabaseSettings fromUris(String primaryUri, String replicaUri) {
    return new DatabaseSettings(
        PgServers.fromUri(primaryUri),
        PgServers.fromUri(replicaUri),
        16,
        16,
        256,
        Duration.ofSeconds(2),
        DEFAULT_REPLICA_PIPELINING,
        DEFAULT_TCP_USER_TIMEOUT);
  }
}
