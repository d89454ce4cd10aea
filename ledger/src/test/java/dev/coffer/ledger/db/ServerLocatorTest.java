package dev.coffer.ledger.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.testkit.StackSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pools built on a multi-host URI find the server in the right role among real ones: the test
 * stack's primary and streaming replica, listed in either order, with a port where nothing listens.
 */
@ExtendWith(VertxExtension.class)
class ServerLocatorTest {
  private String primary;
  private String replica;
  private String nowhere;
  private String credentials;

  @BeforeEach
  void hosts() throws Exception {
    StackSettings stack = TestStack.get().settings();
    PgConnectOptions p = PgConnectOptions.fromUri(stack.pgPrimary());
    PgConnectOptions r = PgConnectOptions.fromUri(stack.pgReplica());
    primary = p.getHost() + ":" + p.getPort();
    replica = r.getHost() + ":" + r.getPort();
    credentials = p.getUser() + ":" + p.getPassword() + "@";
    try (ServerSocket socket = new ServerSocket(0)) {
      nowhere = "127.0.0.1:" + socket.getLocalPort(); // closed again: connections are refused
    }
  }

  @Test
  void writesFindThePrimaryWhereverItIsListed(Vertx vertx) throws Exception {
    try (var pools = pools(vertx, uri("read-write", nowhere, replica, primary), readsAny())) {
      assertThat(inRecovery(pools.get().primary())).isFalse();
      assertThat(
              pools
                  .get()
                  .primary()
                  .query("SELECT inet_server_port()")
                  .execute()
                  .await(10, TimeUnit.SECONDS)
                  .iterator()
                  .next()
                  .getInteger(0))
          .isEqualTo(port(primary));
    }
  }

  @Test
  void readsPreferAStandbyAndFallBackToThePrimaryWhenNoneAnswers(Vertx vertx) throws Exception {
    try (var pools =
        pools(vertx, uri("read-write", primary), uri("prefer-standby", primary, replica))) {
      assertThat(inRecovery(pools.get().replica())).isTrue();
      assertThat(inRecovery(pools.get().replicaReads())).isTrue();
    }
    try (var pools =
        pools(vertx, uri("read-write", primary), uri("prefer-standby", nowhere, primary))) {
      assertThat(inRecovery(pools.get().replica())).isFalse();
    }
  }

  @Test
  void noServerInTheRoleIsARetryableFailureThatNamesEachServer(Vertx vertx) throws Exception {
    try (var pools = pools(vertx, uri("read-write", nowhere, replica), readsAny())) {
      Throwable failure = failureOf(pools.get().primary(), "SELECT 1");
      assertThat(failure)
          .isInstanceOf(NoServerAvailableException.class)
          .hasMessageContaining("no writable primary among")
          .hasMessageContaining(replica + " is a standby")
          .hasMessageContaining(nowhere + " unreachable");
    }
  }

  @Test
  void whenItsServerGoesAwayTheLocatorMovesOnAndTellsItsListeners(Vertx vertx) throws Exception {
    // A relay in front of the replica stands for a standby that dies: first in the list, it is
    // chosen until it closes; then the replica itself, listed second, is.
    NetServer relay = relayTo(vertx, port(replica));
    String relayed = "127.0.0.1:" + relay.actualPort();
    PgServers servers =
        PgServers.fromUri(
            "postgresql://"
                + credentials
                + relayed
                + ","
                + replica
                + "/coffer?target_session_attrs=standby");
    ServerLocator locator =
        new ServerLocator(vertx, servers, Duration.ofSeconds(2), new NetClientOptions());
    AtomicInteger moves = new AtomicInteger();
    locator.onMove(moves::incrementAndGet);
    assertThat(locator.locate().await(10, TimeUnit.SECONDS)).isEqualTo(0);
    assertThat(locator.locate().await(10, TimeUnit.SECONDS)).isEqualTo(0);
    assertThat(moves).hasValue(0);

    relay.close().await(10, TimeUnit.SECONDS);
    assertThat(locator.locate().await(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(moves).hasValue(1);
  }

  @Test
  void aPooledConnectionThatReachesTheWrongRoleIsClosedNotUsed(Vertx vertx) throws Exception {
    // The probe and the pool's own connection reach different servers (as behind a Service whose
    // endpoints are changing): every odd connection goes to the primary, every even one to the
    // replica. The probe says "primary", the pool's connection is the standby's: it must never
    // serve a statement.
    AtomicInteger connections = new AtomicInteger();
    NetServer relay =
        relayTo(
            vertx, () -> connections.incrementAndGet() % 2 == 1 ? port(primary) : port(replica));
    String relayed = "127.0.0.1:" + relay.actualPort();
    try (var pools = pools(vertx, uri("read-write", relayed), readsAny())) {
      for (int i = 0; i < 3; i++) {
        Throwable failure =
            pools
                .get()
                .primary()
                .query("SELECT pg_is_in_recovery()")
                .execute()
                .map(rows -> (Throwable) new AssertionError("answered " + rows.iterator().next()))
                .otherwise(e -> e)
                .await(10, TimeUnit.SECONDS);
        assertThat(failure).isNotInstanceOf(AssertionError.class);
      }
    } finally {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serversThatAllRefuseUsAreAMistakeToReportNotAnOutage(Vertx vertx) throws Exception {
    String noSuchDatabase =
        "postgresql://"
            + credentials
            + primary
            + ","
            + replica
            + "/no_such_database?target_session_attrs=read-write";
    try (var pools = pools(vertx, noSuchDatabase, readsAny())) {
      Throwable failure = failureOf(pools.get().primary(), "SELECT 1");
      assertThat(failure)
          .isInstanceOf(io.vertx.pgclient.PgException.class)
          .hasMessageContaining("no_such_database");
    }
  }

  private static NetServer relayTo(Vertx vertx, int port) throws Exception {
    return relayTo(vertx, () -> port);
  }

  private static NetServer relayTo(Vertx vertx, java.util.function.IntSupplier port)
      throws Exception {
    NetClient client = vertx.createNetClient();
    return vertx
        .createNetServer()
        .connectHandler(
            in -> {
              in.pause();
              client
                  .connect(port.getAsInt(), "127.0.0.1")
                  .onSuccess(
                      out -> {
                        in.pipeTo(out);
                        out.pipeTo(in);
                        in.resume();
                      })
                  .onFailure(e -> in.close());
            })
        .listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
  }

  // What a statement failed with, or null when it succeeded.
  private static Throwable failureOf(io.vertx.sqlclient.SqlClient client, String sql)
      throws Exception {
    return client
        .query(sql)
        .execute()
        .map(rows -> (Throwable) null)
        .otherwise(e -> e)
        .await(10, TimeUnit.SECONDS);
  }

  private String uri(String target, String... hosts) {
    return "postgresql://"
        + credentials
        + String.join(",", hosts)
        + "/coffer?target_session_attrs="
        + target;
  }

  private String readsAny() {
    return "postgresql://" + credentials + replica + "/coffer";
  }

  private static int port(String host) {
    return Integer.parseInt(host.substring(host.indexOf(':') + 1));
  }

  private static AutoClosingPools pools(Vertx vertx, String primaryUri, String replicaUri) {
    return new AutoClosingPools(
        DatabasePools.create(vertx, DatabaseSettings.fromUris(primaryUri, replicaUri)));
  }

  private static boolean inRecovery(io.vertx.sqlclient.SqlClient client) throws Exception {
    return client
        .query("SELECT pg_is_in_recovery()")
        .execute()
        .await(10, TimeUnit.SECONDS)
        .iterator()
        .next()
        .getBoolean(0);
  }

  private record AutoClosingPools(DatabasePools get) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      get.close().await(10, TimeUnit.SECONDS);
    }
  }
}
