package dev.coffer.api.server;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Opens the connections an instance will need before it says it is ready. Every client connects
 * lazily: a new instance's first burst of requests (a rolling upgrade sends it a share of the
 * traffic at once) otherwise waited for dozens of connections to open and authenticate at the same
 * moment, on a JVM not yet compiled, and its Redis calls ran past their time limit: hundreds of
 * 503s in its first second. Best effort: a dependency that is down now does not stop start-up
 * (readiness reports it).
 */
final class ConnectionWarmUp {
  private ConnectionWarmUp() {}

  /**
   * Sends {@code redisCalls} concurrent reads of distinct keys (spread over the cluster's slots, so
   * over every master), {@code rounds} times, and sends each database client the number of
   * concurrent queries it is mapped to (as many as it holds at once: its connections, times the
   * statements each may have in flight); gives up, quietly, after {@code limit}.
   */
  static Future<Void> run(
      Redis redis, int redisCalls, int rounds, Map<SqlClient, Integer> clients, Duration limit) {
    // A dependency that accepts connections but never answers must not hold start-up for ever.
    return warmUp(redis, redisCalls, rounds, clients)
        .timeout(limit.toMillis(), TimeUnit.MILLISECONDS)
        .otherwise((Void) null);
  }

  private static Future<Void> warmUp(
      Redis redis, int redisCalls, int rounds, Map<SqlClient, Integer> clients) {
    Future<Void> chain = Future.succeededFuture();
    for (int round = 0; round < rounds; round++) {
      int r = round;
      chain = chain.compose(v -> redisWave(redis, redisCalls, r));
    }
    return chain.compose(
        v -> {
          List<Future<?>> queries = new ArrayList<>();
          clients.forEach(
              (client, size) -> {
                for (int i = 0; i < size; i++) {
                  queries.add(client.query("SELECT 1").execute());
                }
              });
          return Future.join(queries).<Void>mapEmpty().otherwise((Void) null);
        });
  }

  private static Future<Void> redisWave(Redis redis, int calls, int round) {
    List<Future<?>> sent = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      sent.add(redis.send(Request.cmd(Command.EXISTS).arg("coffer:warm-up:" + round + ":" + i)));
    }
    return Future.join(sent).<Void>mapEmpty().otherwise((Void) null);
  }
}
