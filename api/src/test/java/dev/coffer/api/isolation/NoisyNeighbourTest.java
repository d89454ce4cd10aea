package dev.coffer.api.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.BigJournal;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.StalledExport;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One user must never be able to slow down everyone else (issue 27). Each test method is one
 * attack, run by one user at full speed while another user deposits and reads: every one of the
 * victim's requests must succeed, none may be a 503, and their p99 must stay under 200 ms (the one
 * timed assertion the issue asks for).
 *
 * <p>A new attack is one more method: {@code underAttack("name", THREADS, () -> oneStep(),
 * cleanUp)}, with the attacker set up before. Steps run in a loop on their threads for {@link
 * #WINDOW} (bounded in time, and in count by {@link #MAX_STEPS}); the victim's first requests warm
 * the server up and are not counted.
 */
@ExtendWith(LedgerExtension.class)
class NoisyNeighbourTest {
  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final int MAX_STEPS = 200_000;
  private static final long P99_LIMIT_MS = 200;
  // The victim's pace: a round (a deposit and two reads) every 100 ms, a steady user within its
  // own limits, not a second load generator; about 300 timed requests per attack.
  private static final long ROUND_NANOS = 100_000_000L;
  // An attacker refused (429) tries again after this: a client hammering its own 429s is the
  // request-flood attack (answered by the gateway's per-address limits, see README), not these.
  private static final long REFUSED_PAUSE_MS = 20;

  private static ApiInstance instance;
  private static ApiClient api;
  private static Caller victim;
  private static String victimsAccount;

  @BeforeAll
  static void start() {
    instance =
        ApiInstance.start(
            Map.of(
                // Production's settings, and its per-user limits: "full speed" is what they let
                // one user do. (The per-address ones stay off: every test connects from
                // 127.0.0.1.)
                "COFFER_RATE_LIMIT_MONEY", "600/60",
                "COFFER_RATE_LIMIT_READS", "1200/60",
                // Failed log-ins per (e-mail, address) and per e-mail, as in production.
                "COFFER_RATE_LIMIT_LOGIN_EMAIL", "10/600",
                "COFFER_RATE_LIMIT_LOGIN_EMAIL_ALL", "100/3600",
                // The test instances' quick webhook settings put back to production's.
                "COFFER_WEBHOOK_POLL_MS", "1000",
                "COFFER_WEBHOOK_TIMEOUT_MS", "10000",
                "COFFER_WEBHOOK_RETRY_BASE_MS", "10000",
                "COFFER_WEBHOOK_RETRY_MAX_MS", "3600000"));
    api = instance.client();
    victim = api.newCaller();
    victimsAccount = api.openAccount(victim, "EUR");
    api.deposit(victim, victimsAccount, 1_000_000);
  }

  @AfterAll
  static void stop() {
    api.close();
    instance.close();
  }

  /** Finding 1: exports whose clients never read, opened as fast as the server answers. */
  @Test
  void stalledExports(LedgerFixture ledger) {
    Caller attacker = api.newCaller();
    String account = api.openAccount(attacker, "EUR");
    String other = api.openAccount(attacker, "EUR");
    api.deposit(attacker, account, 1_000_000);
    // About 7 MB of NDJSON: more than a socket buffers, so the exports really stall.
    BigJournal.fill(ledger, attacker.id(), account, other, 10_000);
    String path = "/v1/accounts/" + account + "/entries.ndjson";
    List<StalledExport> held = new CopyOnWriteArrayList<>();
    // One thread keeps as many stalled exports open as the server allows (it opens the next as
    // soon as one is refused or cut); more threads would only add refusals.
    underAttack(
        "stalled exports",
        1,
        () -> {
          StalledExport export = StalledExport.open(instance.port(), path, attacker.token());
          if (export.status() == 200) {
            held.add(export); // never read
          } else {
            export.close();
          }
          return export.status();
        },
        () -> held.forEach(StalledExport::close));
  }

  /**
   * Finding 3: a receiver answering 200 and then a body byte every 300 ms, never ending (a per-read
   * time limit would never fire), on 20 endpoints.
   */
  @Test
  void aSlowWebhookReceiver() throws Exception {
    Vertx receiverVertx = Vertx.vertx();
    try {
      HttpServer trickle =
          receiverVertx
              .createHttpServer()
              .requestHandler(
                  request -> {
                    HttpServerResponse response = request.response();
                    response.setChunked(true).setStatusCode(200).writeHead();
                    long timer = receiverVertx.setPeriodic(300, id -> response.write("x"));
                    request.connection().closeHandler(v -> receiverVertx.cancelTimer(timer));
                  })
              .listen(0, "127.0.0.1")
              .await(10, TimeUnit.SECONDS);
      Caller attacker = api.newCaller();
      String account = api.openAccount(attacker, "EUR");
      List<String> hooks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Reply hook =
            api.post(
                "/v1/webhooks",
                attacker.token(),
                new JsonObject()
                    .put("url", "http://127.0.0.1:" + trickle.actualPort() + "/hook/" + i)
                    .put("eventTypes", new JsonArray().add("transfer.created")));
        assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
        hooks.add(hook.json().getString("id"));
      }
      // Every deposit is an event for each of the 20 endpoints.
      underAttack(
          "a slow webhook receiver",
          1,
          () ->
              api.move(
                      "/v1/deposits",
                      attacker.token(),
                      new JsonObject().put("accountId", account).put("amount", 1))
                  .status(),
          // Their thousands of undelivered events would otherwise be retried, by every test
          // instance sharing the database, for the rest of the build.
          () -> hooks.forEach(id -> api.delete("/v1/webhooks/" + id, attacker.token())));
    } finally {
      receiverVertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Finding 5: the transfer list filtered by a rare status, over a long history, at full speed. */
  @Test
  void filteredListScans(LedgerFixture ledger) {
    Caller attacker = api.newCaller();
    String account = api.openAccount(attacker, "EUR");
    String other = api.openAccount(attacker, "EUR");
    api.deposit(attacker, account, 1_000_000);
    for (int i = 0; i < 3; i++) {
      String pending = api.pending(attacker, account, other, 1);
      api.move("/v1/transfers/" + pending + "/void", attacker.token(), new JsonObject());
    }
    BigJournal.fill(ledger, attacker.id(), account, other, 3_000);
    underAttack(
        "filtered list scans",
        2,
        () -> {
          Reply page = api.get("/v1/transfers?status=voided&limit=200", attacker.token());
          assertThat(page.status()).as(page.toString()).isIn(200, 429);
          return page.status();
        },
        () -> {});
  }

  /**
   * Finding 2: stream sockets opened as fast as the limits allow, each flooding subscribe messages
   * that name the most accounts a message may (none of them the attacker's).
   */
  @Test
  void aStreamSubscribeFlood() throws Exception {
    Caller attacker = api.newCaller();
    JsonArray accounts = new JsonArray();
    for (int i = 0; i < 100; i++) {
      accounts.add(new JsonObject().put("id", UUID.randomUUID().toString()));
    }
    String frame = new JsonObject().put("op", "subscribe").put("accounts", accounts).encode();
    Vertx sockets = Vertx.vertx();
    WebSocketClient client = sockets.createWebSocketClient();
    try {
      // One attacking thread: it shares the test machine's cores with the server, and a second
      // one measures the client's own CPU more than the server's isolation.
      underAttack(
          "a stream subscribe flood",
          1,
          () -> {
            WebSocket socket;
            try {
              socket =
                  client
                      .connect(
                          new WebSocketConnectOptions()
                              .setHost("127.0.0.1")
                              .setPort(instance.port())
                              .setURI("/v1/stream")
                              .addSubProtocol("bearer." + attacker.token()))
                      .await(10, TimeUnit.SECONDS);
            } catch (Exception refused) {
              return refused.getMessage() != null && refused.getMessage().contains("429")
                  ? 429
                  : 500;
            }
            for (int i = 0; i < 200; i++) {
              socket.writeTextMessage(frame);
            }
            socket.close().await(10, TimeUnit.SECONDS);
            return 200;
          },
          () -> {});
    } finally {
      sockets.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Finding 4: wrong passwords for the victim's e-mail from another address, as fast as that
   * address may send them; the victim, on its own address, logs in all along.
   */
  @Test
  void aLogInLockoutAttempt() {
    try (ApiClient stranger = ApiClient.from("127.0.0.9", instance.port())) {
      JsonObject wrong =
          new JsonObject().put("email", victim.email()).put("password", "not the password");
      underAttack(
          "a log-in lockout attempt",
          1,
          () -> stranger.post("/v1/sessions", null, wrong).status(),
          () -> {});
      // The owner still logs in with the right password, from the address it always used.
      assertThat(api.logIn(victim.email(), victim.password())).isNotBlank();
    }
  }

  /**
   * One step of an attack: answers the HTTP status it got; it may throw (the attacker's failures
   * are not the test's concern).
   */
  interface Step {
    int run() throws Exception;
  }

  /**
   * Runs {@code step} on {@code threads} threads for the window while the victim deposits and reads
   * on its own client, then {@code cleanUp}; asserts the victim's service.
   */
  private static void underAttack(String name, int threads, Step step, Runnable cleanUp) {
    ApiClient victimsClient = instance.client();
    try {
      // Warm-up: the first requests of a code path are not what a neighbour costs.
      for (int i = 0; i < 20; i++) {
        victimRound(victimsClient, new ArrayList<>(), new ArrayList<>());
      }
      long end = System.nanoTime() + WINDOW.toNanos();
      ConcurrentLinkedQueue<Throwable> attackerErrors = new ConcurrentLinkedQueue<>();
      List<Thread> attackers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread attacker =
            new Thread(
                () -> {
                  for (int n = 0; n < MAX_STEPS && System.nanoTime() < end; n++) {
                    try {
                      if (step.run() == 429) {
                        Thread.sleep(REFUSED_PAUSE_MS);
                      }
                    } catch (Throwable e) {
                      attackerErrors.add(e);
                    }
                  }
                },
                "attacker-" + t);
        attacker.start();
        attackers.add(attacker);
      }
      List<Long> latencies = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      long next = System.nanoTime();
      while (System.nanoTime() < end) {
        victimRound(victimsClient, latencies, failures);
        next += ROUND_NANOS;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      for (Thread attacker : attackers) {
        attacker.join(60_000);
      }
      assertThat(failures).as("%s: the victim's failed requests", name).isEmpty();
      assertThat(latencies).as("%s: the victim's requests", name).hasSizeGreaterThan(100);
      Collections.sort(latencies);
      long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1) / 1_000_000;
      System.out.printf(
          "noisy neighbour, %s: victim %d requests, p50 %d ms, p99 %d ms, max %d ms;"
              + " attacker errors %d%n",
          name,
          latencies.size(),
          latencies.get(latencies.size() / 2) / 1_000_000,
          p99,
          latencies.get(latencies.size() - 1) / 1_000_000,
          attackerErrors.size());
      assertThat(p99).as("%s: the victim's p99 in ms", name).isLessThan(P99_LIMIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      cleanUp.run();
      victimsClient.close();
    }
  }

  // A deposit, the account, the journal's first page: timed each, and any answer but the one
  // expected is a failure (a 503 above all).
  private static void victimRound(ApiClient client, List<Long> latencies, List<String> failures) {
    timed(
        client,
        latencies,
        failures,
        201,
        c ->
            c.move(
                "/v1/deposits",
                victim.token(),
                new JsonObject().put("accountId", victimsAccount).put("amount", 1)));
    timed(
        client,
        latencies,
        failures,
        200,
        c -> c.get("/v1/accounts/" + victimsAccount, victim.token()));
    timed(
        client,
        latencies,
        failures,
        200,
        c -> c.get("/v1/accounts/" + victimsAccount + "/entries?limit=20", victim.token()));
  }

  private static void timed(
      ApiClient client,
      List<Long> latencies,
      List<String> failures,
      int expected,
      java.util.function.Function<ApiClient, Reply> call) {
    long start = System.nanoTime();
    Reply reply = call.apply(client);
    latencies.add(System.nanoTime() - start);
    if (reply.status() != expected) {
      failures.add(reply.toString());
    }
  }
}
