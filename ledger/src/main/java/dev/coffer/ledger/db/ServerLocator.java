package dev.coffer.ledger.db;

import dev.coffer.ledger.db.TargetSession.ServerRole;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnectOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.spi.ConnectionFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Finds, for each new pooled connection, a server of a multi-host URI whose role fits the target
 * (libpq's {@code target_session_attrs}): it asks each server in turn, on a short connection of its
 * own, whether it is in recovery and read-only, starting with the server that fitted last and
 * leaving for last the ones that failed to answer a moment ago. So a pool follows a failover by
 * itself: the dead primary's connections break, and the next ones go to whichever standby was
 * promoted. While none fits (no primary yet), the connection fails with {@link
 * NoServerAvailableException} at once, having sent nothing.
 *
 * <p>The pooled connection itself is asked again before the pool hands it out ({@link #verifier}):
 * between the probe and the connection a role may change, and behind a load balancer or a
 * Kubernetes Service the two may not even reach the same server. One that does not fit is
 * terminated by its server, so the pool drops it instead of keeping it for every later request.
 */
public final class ServerLocator {
  private static final Logger LOG = Logger.getLogger(ServerLocator.class.getName());
  static final String ROLE =
      "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'";
  private static final String TERMINATE = "SELECT pg_terminate_backend(pg_backend_pid())";
  // A server that did not answer this recently is asked last: a host cut off by a partition costs
  // a whole probe timeout, which the pool's own wait for a connection cannot afford twice.
  private static final long RECENT_FAILURE_NANOS = Duration.ofSeconds(10).toNanos();

  private final Vertx vertx;
  private final PgServers servers;
  private final Duration probeTimeout;
  private final ConnectionFactory<PgConnectOptions> probes;
  private final List<Runnable> moveListeners = new CopyOnWriteArrayList<>();
  private final AtomicLongArray failedAt;
  // The server that fitted last, and how many times that changed: a scan that began before the
  // last change must not put its older answer back.
  private volatile int current = -1;
  private final AtomicLong moves = new AtomicLong();

  public ServerLocator(
      Vertx vertx, PgServers servers, Duration probeTimeout, NetClientOptions transport) {
    this.vertx = vertx;
    this.servers = servers;
    this.probeTimeout = probeTimeout;
    this.probes = PgDriver.INSTANCE.createConnectionFactory(vertx, transport);
    this.failedAt = new AtomicLongArray(servers.hosts().size());
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

  /**
   * The pool's connect handler: asks the new connection for its role and releases it to the pool
   * when it fits; else has its server terminate it (the pool drops a closed connection; the request
   * that waited for it gets a 503 and its retry a connection located afresh).
   */
  public Handler<SqlConnection> verifier() {
    return conn ->
        role(conn)
            .compose(
                role -> {
                  if (servers.target() == TargetSession.PREFER_STANDBY
                      || servers.target().fits(role)) {
                    return Future.succeededFuture();
                  }
                  LOG.warning(
                      () ->
                          "a new connection for a "
                              + servers.target().describe()
                              + " reached a "
                              + (role.inRecovery() ? "standby" : "primary")
                              + ": closing it");
                  return conn.query(TERMINATE).execute().mapEmpty();
                })
            .onComplete(ar -> conn.close());
  }

  /** Runs {@code listener} whenever connections start going to another server than before. */
  public void onMove(Runnable listener) {
    moveListeners.add(listener);
  }

  /** Closes the probes' connection factory. */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    probes.close(closed);
    return closed.future();
  }

  /** The index of a fitting server. */
  Future<Integer> locate() {
    return scan(order(), 0, -1, moves.get(), new ArrayList<>(), null);
  }

  // The last server that fitted first, then the others in the URI's order; those that failed to
  // answer recently after all the rest.
  private List<Integer> order() {
    int count = servers.hosts().size();
    int start = Math.max(current, 0);
    List<Integer> answering = new ArrayList<>();
    List<Integer> failing = new ArrayList<>();
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int index = (start + i) % count;
      long failed = failedAt.get(index);
      (failed != 0 && now - failed < RECENT_FAILURE_NANOS ? failing : answering).add(index);
    }
    answering.addAll(failing);
    return answering;
  }

  private Future<Integer> scan(
      List<Integer> order,
      int tried,
      int reachable,
      long movesAtStart,
      List<String> found,
      PgException refusal) {
    if (tried == order.size()) {
      if (servers.target() == TargetSession.PREFER_STANDBY && reachable >= 0) {
        return Future.succeededFuture(chosen(reachable, movesAtStart));
      }
      if (reachable < 0 && refusal != null) {
        // Every server answered, and refused us (a wrong password, a missing database): a
        // mistake to report as it is, not an outage to retry.
        return Future.failedFuture(refusal);
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
    int index = order.get(tried);
    String name = PgServers.address(servers.hosts().get(index));
    return probe(servers.hosts().get(index))
        .transform(
            ar -> {
              if (ar.failed()) {
                failedAt.set(index, System.nanoTime());
                found.add(name + " unreachable: " + ar.cause().getMessage());
                PgException refused =
                    refusal == null && ar.cause() instanceof PgException pg ? pg : refusal;
                return scan(order, tried + 1, reachable, movesAtStart, found, refused);
              }
              failedAt.set(index, 0);
              ServerRole role = ar.result();
              if (servers.target().fits(role)) {
                return Future.succeededFuture(chosen(index, movesAtStart));
              }
              found.add(name + (role.inRecovery() ? " is a standby" : " is a primary"));
              return scan(
                  order,
                  tried + 1,
                  reachable < 0 ? index : reachable,
                  movesAtStart,
                  found,
                  refusal);
            });
  }

  private int chosen(int index, long movesAtStart) {
    int before = current;
    if (before != index && moves.compareAndSet(movesAtStart, movesAtStart + 1)) {
      current = index;
      if (before >= 0) {
        LOG.warning(
            () ->
                "new connections for a "
                    + servers.target().describe()
                    + " go to "
                    + PgServers.address(servers.hosts().get(index))
                    + " instead of "
                    + PgServers.address(servers.hosts().get(before)));
        moveListeners.forEach(Runnable::run);
      }
    }
    return index;
  }

  // A connection of its own, closed whatever happens: when the answer comes too late (a stalled
  // server), the connection is closed as soon as it exists.
  private Future<ServerRole> probe(PgConnectOptions host) {
    Promise<ServerRole> answer = Promise.promise();
    Future<SqlConnection> connected = probes.connect(vertx.getOrCreateContext(), host);
    long timer =
        vertx.setTimer(
            probeTimeout.toMillis(),
            id -> {
              answer.tryFail(
                  new TimeoutException("no answer within " + probeTimeout.toMillis() + " ms"));
              connected.onSuccess(SqlConnection::close);
            });
    connected
        .compose(conn -> role(conn).eventually(conn::close))
        .onComplete(
            role -> {
              vertx.cancelTimer(timer);
              if (role.succeeded()) {
                answer.tryComplete(role.result());
              } else {
                answer.tryFail(role.cause());
              }
            });
    return answer.future();
  }

  private static Future<ServerRole> role(SqlClient conn) {
    return conn.query(ROLE)
        .execute()
        .map(rows -> rows.iterator().next())
        .map(row -> new ServerRole(row.getBoolean(0), row.getBoolean(1)));
  }
}
