package dev.coffer.ledger.db;

import dev.coffer.ledger.db.TargetSession.ServerRole;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Finds, for each new pooled connection, a server of a multi-host URI whose role fits the target
 * (libpq's {@code target_session_attrs}): it asks each server in turn, on a short connection of its
 * own, whether it is in recovery and read-only, starting with the server that fitted last. So a
 * pool follows a failover by itself: the dead primary's connections break, and the next ones go to
 * whichever standby was promoted. While none fits (no primary yet), the connection fails with
 * {@link NoServerAvailableException} at once, having sent nothing.
 *
 * <p>One probe per new connection is cheap next to a pool's connection lifetime; it also closes the
 * window a cached answer would leave open (a primary demoted since it was last asked).
 */
public final class ServerLocator {
  private static final Logger LOG = Logger.getLogger(ServerLocator.class.getName());
  private static final String ROLE =
      "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'";

  private final Vertx vertx;
  private final PgServers servers;
  private final Duration probeTimeout;
  private final List<Runnable> moveListeners = new CopyOnWriteArrayList<>();
  private volatile int current = -1;

  public ServerLocator(Vertx vertx, PgServers servers, Duration probeTimeout) {
    this.vertx = vertx;
    this.servers = servers;
    this.probeTimeout = probeTimeout;
  }

  /**
   * The options a pool connects with: the located server's, shaped by {@code shape} (prepared
   * statement cache, pipelining). Pools given suppliers of one locator connect to the same server.
   */
  public Supplier<Future<SqlConnectOptions>> connectOptions(UnaryOperator<PgConnectOptions> shape) {
    List<PgConnectOptions> shaped =
        servers.hosts().stream().map(h -> shape.apply(new PgConnectOptions(h))).toList();
    return () -> locate().map(shaped::get);
  }

  /** Runs {@code listener} whenever connections start going to another server than before. */
  public void onMove(Runnable listener) {
    moveListeners.add(listener);
  }

  /** The index of a fitting server, probing from the last one that fitted. */
  Future<Integer> locate() {
    return scan(Math.max(current, 0), 0, -1, new ArrayList<>());
  }

  private Future<Integer> scan(int start, int tried, int reachable, List<String> found) {
    int count = servers.hosts().size();
    if (tried == count) {
      if (servers.target() == TargetSession.PREFER_STANDBY && reachable >= 0) {
        return Future.succeededFuture(chosen(reachable));
      }
      return Future.failedFuture(
          new NoServerAvailableException(
              "no "
                  + servers.target().describe()
                  + " among "
                  + servers.describe()
                  + " ("
                  + String.join("; ", found)
                  + ")"));
    }
    int index = (start + tried) % count;
    PgConnectOptions host = servers.hosts().get(index);
    String name = host.getHost() + ":" + host.getPort();
    return probe(host)
        .transform(
            ar -> {
              if (ar.failed()) {
                found.add(name + " unreachable: " + ar.cause().getMessage());
                return scan(start, tried + 1, reachable, found);
              }
              ServerRole role = ar.result();
              if (servers.target().fits(role)) {
                return Future.succeededFuture(chosen(index));
              }
              found.add(name + (role.inRecovery() ? " is a standby" : " is a primary"));
              return scan(start, tried + 1, reachable < 0 ? index : reachable, found);
            });
  }

  private int chosen(int index) {
    int before = current;
    current = index;
    if (before >= 0 && before != index) {
      PgConnectOptions from = servers.hosts().get(before);
      PgConnectOptions to = servers.hosts().get(index);
      LOG.warning(
          () ->
              "new connections for "
                  + servers.target().describe()
                  + " go to "
                  + to.getHost()
                  + ":"
                  + to.getPort()
                  + " instead of "
                  + from.getHost()
                  + ":"
                  + from.getPort());
      moveListeners.forEach(Runnable::run);
    }
    return index;
  }

  private Future<ServerRole> probe(PgConnectOptions host) {
    Promise<ServerRole> answer = Promise.promise();
    long timer =
        vertx.setTimer(
            probeTimeout.toMillis(),
            id ->
                answer.tryFail(
                    new NoServerAvailableException(
                        "no answer within " + probeTimeout.toMillis() + " ms")));
    PgConnection.connect(vertx, host)
        .onComplete(
            connected -> {
              if (connected.failed()) {
                vertx.cancelTimer(timer);
                answer.tryFail(connected.cause());
                return;
              }
              PgConnection conn = connected.result();
              if (answer.future().isComplete()) {
                conn.close(); // too late: the scan went on without it
                return;
              }
              conn.query(ROLE)
                  .execute()
                  .map(rows -> rows.iterator().next())
                  .map(row -> new ServerRole(row.getBoolean(0), row.getBoolean(1)))
                  .onComplete(
                      role -> {
                        vertx.cancelTimer(timer);
                        conn.close();
                        if (role.succeeded()) {
                          answer.tryComplete(role.result());
                        } else {
                          answer.tryFail(role.cause());
                        }
                      });
            });
    return answer.future();
  }
}
