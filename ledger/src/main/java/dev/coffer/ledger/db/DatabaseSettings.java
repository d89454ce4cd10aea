package dev.coffer.ledger.db;

import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;

/** Where the primary and replica databases are, and how large their pools may grow. */
public record DatabaseSettings(
    PgConnectOptions primary,
    PgConnectOptions replica,
    int primaryPoolSize,
    int replicaPoolSize,
    int maxWaitQueue,
    Duration connectTimeout) {

  /** Settings from two {@code postgresql://user:password@host:port/db} URIs and default sizes. */
  public static DatabaseSettings fromUris(String primaryUri, String replicaUri) {
    return new DatabaseSettings(
        PgConnectOptions.fromUri(primaryUri),
        PgConnectOptions.fromUri(replicaUri),
        16,
        16,
        256,
        Duration.ofSeconds(2));
  }

  /** The JDBC URL of a connection, for Liquibase, which speaks JDBC only. */
  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://"
        + options.getHost()
        + ":"
        + options.getPort()
        + "/"
        + options.getDatabase();
  }
}
