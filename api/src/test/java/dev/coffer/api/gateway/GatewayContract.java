package dev.coffer.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.CofferProcess;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What either gateway configuration must do in front of two real Coffer instances (processes of
 * their own on the test stack). Every client connects from an address of its own in 127.0.0.0/8
 * (all of it is this machine), while the gateway reaches the instances from 127.0.0.1, their only
 * trusted proxy: so the client address Coffer sees tells whether X-Forwarded-For was passed on and
 * read right. Which instance served a request, and for whom, comes from the instances' request
 * logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayContract {
  private static final int INSTANCES = 2;
  private static final int ANONYMOUS_LIMIT = 20;
  private static final int BODY_LIMIT = 64 * 1024;

  private final List<CofferProcess> instances = new ArrayList<>();
  private Path logDir;
  private Gateway gateway;
  private Vertx vertx;
  private LedgerFixture ledger;

  /** "nginx" or "haproxy". */
  abstract String kind();

  @BeforeAll
  void startCluster() throws Exception {
    // Under target/, kept after the run for a look at what each instance served.
    Path logs = Files.createDirectories(Path.of("target", "gateway-logs"));
    logDir = Files.createTempDirectory(logs, kind() + "-");
    Map<String, String> settings =
        Map.of(
            "COFFER_TRUSTED_PROXIES", "127.0.0.1/32",
            // An hour's window: the test never straddles two of them.
            "COFFER_RATE_LIMIT_ANONYMOUS", ANONYMOUS_LIMIT + "/3600",
            // Long enough for HAProxy's health checks (two failures a second apart) to take a
            // stopping instance out before it stops accepting connections.
            "COFFER_SHUTDOWN_DELAY_MS", "3000",
            "COFFER_DRAIN_TIMEOUT_MS", "10000");
    for (int i = 1; i <= INSTANCES; i++) {
      instances.add(
          CofferProcess.launch("coffer-" + kind() + "-" + i, Gateway.freePort(), logDir, settings));
    }
    for (CofferProcess instance : instances) {
      instance.awaitReady();
    }
    // Closed by stopCluster even when this fails: @AfterAll runs after a failed @BeforeAll.
    gateway =
        Gateway.start(
            kind(), instances.stream().map(i -> new String[] {i.name(), i.address()}).toList());
    vertx = Vertx.vertx();
    ledger = new LedgerFixture(vertx, TestStack.get().settings());
  }

  // What an operator checks before trusting the pool: the gateway sends requests to every
  // instance (HAProxy may have taken one out for a slow health check on a busy machine).
  @BeforeEach
  void awaitEveryInstanceInThePool() throws Exception {
    String address = newClientAddress();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (ApiClient client = ApiClient.from(address, gateway.port())) {
      while (!instancesOf(requestsFrom(address)).containsAll(instanceNames())) {
        assertThat(System.nanoTime())
            .as("the gateway never sent requests to every instance")
            .isLessThan(deadline);
        client.send(HttpMethod.GET, "/health/live", Map.of(), null);
        Thread.sleep(100);
      }
    }
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    // Stopped side by side: each spends its shutdown delay and drain, which need not add up.
    List<Thread> stopping = new ArrayList<>();
    for (CofferProcess instance : instances) {
      Thread stop =
          new Thread(
              () -> {
                try {
                  instance.close();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "stop-" + instance.name());
      stop.start();
      stopping.add(stop);
    }
    for (Thread stop : stopping) {
      stop.join(60_000);
    }
    if (ledger != null) {
      ledger.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theAcceptanceFlowWorksThroughTheGatewayOnEveryInstance() throws Exception {
    String address = newClientAddress();
    try (ApiClient client = ApiClient.from(address, gateway.port())) {
      Caller alice = client.newCaller();
      Caller bob = client.newCaller();
      String aliceEur = client.openAccount(alice, "EUR");
      String bobEur = client.openAccount(bob, "EUR");
      client.deposit(alice, aliceEur, 10_000);
      Reply paid =
          client.move(
              "/v1/transfers",
              alice.token(),
              ApiClient.transfer(aliceEur, bobEur, 1_250).put("description", "lunch"));
      assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
      int reads = 4;
      for (int i = 0; i < reads; i++) {
        Reply entries = client.get("/v1/accounts/" + aliceEur + "/entries", alice.token());
        assertThat(entries.status()).as(entries.toString()).isEqualTo(200);
        JsonArray data = entries.json().getJsonArray("data");
        assertThat(data).hasSize(2);
        assertThat(data.getJsonObject(0).getLong("amount")).isEqualTo(-1_250);
        assertThat(data.getJsonObject(0).getLong("balanceAfter")).isEqualTo(8_750);
        assertThat(data.getJsonObject(0).getString("description")).isEqualTo("lunch");
      }
      assertThat(client.account(alice, aliceEur).getLong("balance")).isEqualTo(8_750);
      assertThat(client.account(bob, bobEur).getLong("balance")).isEqualTo(1_250);
      int sent = 2 * 2 + 2 + 1 + 1 + reads + 2;

      List<JsonObject> served = awaitRequestsFrom(address, sent);
      assertThat(served).as("each request served exactly once").hasSize(sent);
      assertThat(instancesOf(served))
          .as("instances that served the flow")
          .containsExactlyInAnyOrderElementsOf(instanceNames());
    }
  }

  @Test
  void rateLimitsAreSharedByTheInstancesAndKeyedByTheRealClientAddress() throws Exception {
    String address = newClientAddress();
    List<Reply> replies = new ArrayList<>();
    try (ApiClient client = ApiClient.from(address, gateway.port())) {
      for (int i = 0; i < ANONYMOUS_LIMIT + 5; i++) {
        // A client that names another address for itself is not believed.
        Map<String, String> headers =
            i % 2 == 0 ? Map.of("X-Forwarded-For", "203.0.113." + i) : Map.of();
        replies.add(client.send(HttpMethod.GET, "/v1/accounts", headers, null));
      }
    }
    assertThat(replies.subList(0, ANONYMOUS_LIMIT))
        .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(401));
    assertThat(replies.subList(ANONYMOUS_LIMIT, replies.size()))
        .allSatisfy(
            r -> {
              assertThat(r.status()).as(r.toString()).isEqualTo(429);
              assertThat(r.code()).isEqualTo("rate-limited");
              // Coffer's own limit, not the gateway's coarse one.
              assertThat(r.header("RateLimit-Policy")).contains("\"anonymous\"");
            });
    List<JsonObject> served = awaitRequestsFrom(address, replies.size());
    assertThat(served).hasSize(replies.size());
    assertThat(instancesOf(served))
        .as("the one budget was spent on every instance")
        .containsExactlyInAnyOrderElementsOf(instanceNames());
    assertThat(served.stream().filter(r -> r.getInteger("status") == 401).map(this::instanceOf))
        .as("allowed requests served by every instance")
        .containsAll(instanceNames());

    // Another client behind the same gateway has a budget of its own.
    try (ApiClient other = ApiClient.from(newClientAddress(), gateway.port())) {
      assertThat(other.send(HttpMethod.GET, "/v1/accounts", Map.of(), null).status())
          .isEqualTo(401);
    }
  }

  @Test
  void bodiesOverCoffersLimitAreRefusedAndOnesAtItPass() throws Exception {
    try (ApiClient client = ApiClient.from(newClientAddress(), gateway.port())) {
      Reply tooLarge =
          client.send(
              HttpMethod.POST,
              "/v1/users",
              Map.of("Content-Type", "application/json"),
              Buffer.buffer(signUp(BODY_LIMIT + 1)));
      assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(413);
      assertThat(tooLarge.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(tooLarge.code()).isEqualTo("payload-too-large");

      Reply atTheLimit =
          client.send(
              HttpMethod.POST,
              "/v1/users",
              Map.of("Content-Type", "application/json"),
              Buffer.buffer(signUp(BODY_LIMIT)));
      assertThat(atTheLimit.status()).as(atTheLimit.toString()).isEqualTo(201);
    }
    // Chunked, so no length is declared up front: refused all the same (by the gateway or by
    // Coffer, whichever counts first).
    HttpClient http = HttpClient.newHttpClient();
    byte[] body = signUp(BODY_LIMIT + 1);
    HttpResponse<String> chunked =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/users"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
    assertThat(new JsonObject(chunked.body()).getString("code")).isEqualTo("payload-too-large");
  }

  @Test
  void theRequestIdFollowsTheRequestThroughGatewayAndInstance() throws Exception {
    String address = newClientAddress();
    String own = "gw-test-" + UUID.randomUUID();
    try (ApiClient client = ApiClient.from(address, gateway.port())) {
      Reply given = client.send(HttpMethod.GET, "/v1/accounts", Map.of("X-Request-Id", own), null);
      assertThat(given.header("X-Request-Id")).isEqualTo(own);
      Reply none = client.send(HttpMethod.GET, "/v1/accounts", Map.of(), null);
      String made = none.header("X-Request-Id");
      assertThat(made).as("the gateway's id, echoed by Coffer").isNotBlank();

      List<JsonObject> served = awaitRequestsFrom(address, 2);
      assertThat(served).extracting(r -> r.getString("requestId")).containsExactly(own, made);
      String gatewayLog = awaitGatewayLogContaining(made);
      assertThat(gatewayLog).contains("rid=" + own).contains("rid=" + made);
    }
  }

  /**
   * Each instance in turn gets SIGTERM and is started again while clients keep moving money and
   * reading, and a stream follows one more account through the gateway. A money POST that fails is
   * retried with the same Idempotency-Key, a read is never retried by the client. No request may
   * fail, the balances must be what the clients were told, and the stream, reconnecting after each
   * cut and resuming after the last seq it saw (as the dashboard does), must deliver every entry
   * once, in order. One restart serves both (each costs tens of seconds of process starts).
   */
  @Test
  void aRollingRestartUnderTrafficFailsNoRequestAndTheStreamMissesNothing() throws Exception {
    int clientCount = 4;
    long initial = 1_000_000;
    List<RollingClient> clients = new ArrayList<>();
    Map<String, AtomicLong> expected = new ConcurrentHashMap<>();
    for (int i = 0; i < clientCount; i++) {
      ApiClient api = ApiClient.from(newClientAddress(), gateway.port());
      Caller caller = api.newCaller();
      String account = api.openAccount(caller, "EUR");
      api.deposit(caller, account, initial);
      expected.put(account, new AtomicLong(initial));
      clients.add(new RollingClient(api, caller, account));
    }
    List<String> accounts = clients.stream().map(c -> c.account).toList();
    Tally tally = new Tally();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      RollingClient client = clients.get(i);
      String payee = accounts.get((i + 1) % clientCount);
      Thread thread =
          new Thread(() -> client.run(payee, expected, tally, running), "rolling-client-" + i);
      thread.start();
      threads.add(thread);
    }
    StreamFollower stream = new StreamFollower(ApiClient.from(newClientAddress(), gateway.port()));
    try {
      Thread.sleep(1_000);
      for (CofferProcess instance : instances) {
        instance.restart();
        awaitClientTrafficOn(instance);
      }
      Thread.sleep(1_000);
    } finally {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
      clients.forEach(c -> c.api.close());
      stream.stopWriting();
    }

    System.out.printf(
        "[%s] rolling restart of %d instances: %d requests sent (%d money, %d reads), %d money"
            + " requests retried by their client (%d attempts), %d failed%n",
        kind(),
        instances.size(),
        tally.money.get() + tally.reads.get(),
        tally.money.get(),
        tally.reads.get(),
        tally.retriedRequests.get(),
        tally.retries.get(),
        tally.failures.size());
    assertThat(tally.failures).as("failed requests").isEmpty();
    assertThat(tally.money.get()).as("money requests during the restarts").isGreaterThan(20);
    for (String account : accounts) {
      long balance =
          ledger
              .query("SELECT balance FROM accounts WHERE id = '" + account + "'")
              .get(0)
              .getLong("balance");
      assertThat(balance).as("balance of " + account).isEqualTo(expected.get(account).get());
    }
    stream.assertEveryEntryOnceInOrder();
    ledger.assertInvariants();
  }

  /**
   * One account's deposits, written with retries under one Idempotency-Key each, and its stream,
   * reconnected after every close and resumed after the last seq seen.
   */
  private final class StreamFollower {
    private final ApiClient api;
    private final Caller caller;
    private final String account;
    private final List<Long> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicInteger deposits = new AtomicInteger();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final io.vertx.core.http.WebSocketClient sockets = vertx.createWebSocketClient();
    private final Thread writer;

    StreamFollower(ApiClient api) {
      this.api = api;
      this.caller = api.newCaller();
      this.account = api.openAccount(caller, "EUR");
      connect();
      writer = new Thread(this::write, "stream-writer");
      writer.start();
    }

    private void connect() {
      sockets
          .connect(
              new io.vertx.core.http.WebSocketConnectOptions()
                  .setHost("127.0.0.1")
                  .setPort(gateway.port())
                  .setURI("/v1/stream")
                  .addSubProtocol("bearer." + caller.token()))
          .onFailure(e -> vertx.setTimer(200, id -> connect()))
          .onSuccess(
              socket -> {
                connections.incrementAndGet();
                socket.textMessageHandler(
                    text -> {
                      JsonObject message = new JsonObject(text);
                      if ("entry".equals(message.getString("type"))) {
                        long seq = message.getJsonObject("entry").getLong("seq");
                        received.add(seq);
                        lastSeq.set(seq);
                      }
                    });
                socket.closeHandler(
                    v -> {
                      if (streaming.get()) {
                        vertx.setTimer(200, id -> connect());
                      }
                    });
                socket.writeTextMessage(
                    new JsonObject()
                        .put("op", "subscribe")
                        .put(
                            "accounts",
                            new JsonArray()
                                .add(
                                    new JsonObject()
                                        .put("id", account)
                                        .put("since", lastSeq.get())))
                        .encode());
              });
    }

    private void write() {
      while (writing.get()) {
        String key = UUID.randomUUID().toString();
        JsonObject body = new JsonObject().put("accountId", account).put("amount", 1);
        boolean done = false;
        for (int attempt = 0; attempt < 20 && !done; attempt++) {
          try {
            // The same key on every attempt: a retry can never deposit twice.
            done = api.post("/v1/deposits", caller.token(), key, body).status() == 201;
          } catch (RuntimeException e) {
            done = false;
          }
          if (!done) {
            sleep(200);
          }
        }
        if (done) {
          deposits.incrementAndGet();
        } else {
          failures.add("a deposit never succeeded");
        }
        sleep(50);
      }
    }

    void stopWriting() throws InterruptedException {
      writing.set(false);
      writer.join(60_000);
    }

    void assertEveryEntryOnceInOrder() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (received.size() < deposits.get() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      streaming.set(false);
      sockets.close();
      api.close();
      System.out.printf(
          "[%s] stream across a rolling restart: %d deposits, %d entries received, %d"
              + " connections%n",
          kind(), deposits.get(), received.size(), connections.get());
      assertThat(failures).isEmpty();
      assertThat(connections.get()).as("the stream was cut and resumed").isGreaterThan(1);
      List<Long> expected = new ArrayList<>();
      for (long seq = 1; seq <= deposits.get(); seq++) {
        expected.add(seq);
      }
      // Every entry once, in order, across every reconnect.
      assertThat(received).isEqualTo(expected);
    }
  }

  /** Counts of the rolling restart, and every failure in words. */
  private static final class Tally {
    final AtomicInteger money = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger retriedRequests = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  }

  /** A client that deposits, pays the next client, and reads, in turn, until stopped. */
  private record RollingClient(ApiClient api, Caller caller, String account) {
    void run(String payee, Map<String, AtomicLong> expected, Tally tally, AtomicBoolean running) {
      for (int n = 0; running.get(); n++) {
        long amount = 1 + n % 3;
        switch (n % 4) {
          case 0 -> {
            if (move(
                tally,
                "/v1/deposits",
                new JsonObject().put("accountId", account).put("amount", amount))) {
              expected.get(account).addAndGet(amount);
            }
          }
          case 1 -> {
            if (move(tally, "/v1/transfers", ApiClient.transfer(account, payee, amount))) {
              expected.get(account).addAndGet(-amount);
              expected.get(payee).addAndGet(amount);
            }
          }
          case 2 -> read(tally, "/v1/accounts/" + account);
          default -> read(tally, "/v1/accounts/" + account + "/entries?limit=5");
        }
      }
    }

    private boolean move(Tally tally, String path, JsonObject body) {
      tally.money.incrementAndGet();
      String key = UUID.randomUUID().toString();
      List<String> attempts = new ArrayList<>();
      for (int attempt = 0; attempt < 20; attempt++) {
        if (attempt == 1) {
          tally.retriedRequests.incrementAndGet();
        }
        if (attempt > 0) {
          tally.retries.incrementAndGet();
          sleep(200);
        }
        try {
          Reply reply = api.post(path, caller.token(), key, body);
          if (reply.status() == 201) {
            return true;
          }
          attempts.add(reply.toString());
          boolean retryable =
              reply.status() >= 500 || "idempotency-request-in-progress".equals(reply.code());
          if (!retryable) {
            break;
          }
        } catch (RuntimeException e) {
          attempts.add(String.valueOf(e.getCause()));
        }
      }
      tally.failures.add("POST " + path + " " + key + ": " + attempts);
      return false;
    }

    private void read(Tally tally, String path) {
      tally.reads.incrementAndGet();
      try {
        Reply reply = api.get(path, caller.token());
        if (reply.status() != 200) {
          tally.failures.add("GET " + path + ": " + reply);
        }
      } catch (RuntimeException e) {
        tally.failures.add("GET " + path + ": " + e.getCause());
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A sign-up whose JSON body is exactly {@code size} bytes (padded with spaces, still JSON). */
  private static byte[] signUp(int size) {
    String json =
        new JsonObject()
            .put("email", "big-" + UUID.randomUUID() + "@example.com")
            .put("password", "correct horse")
            .encode();
    return (json + " ".repeat(size - json.length()))
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // A fresh address per client and run: rate limits of earlier runs (kept in Redis) never apply.
  private static String newClientAddress() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "127."
        + random.nextInt(2, 255)
        + "."
        + random.nextInt(256)
        + "."
        + random.nextInt(1, 255);
  }

  private Set<String> instanceNames() {
    return instances.stream().map(CofferProcess::name).collect(Collectors.toSet());
  }

  private String instanceOf(JsonObject request) {
    return request.getString("instance");
  }

  private Set<String> instancesOf(List<JsonObject> requests) {
    return requests.stream().map(this::instanceOf).collect(Collectors.toSet());
  }

  private List<JsonObject> requestsFrom(String address) {
    return instances.stream()
        .flatMap(i -> i.requests().stream())
        .filter(r -> address.equals(r.getString("clientIp")))
        .sorted(java.util.Comparator.comparing(r -> r.getString("time")))
        .toList();
  }

  // A request is logged when its response is done, which may be just after the client has it.
  private List<JsonObject> awaitRequestsFrom(String address, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonObject> served = requestsFrom(address);
    while (served.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(100);
      served = requestsFrom(address);
    }
    return served;
  }

  private String awaitGatewayLogContaining(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String log = gateway.accessLog();
    while (!log.contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      log = gateway.accessLog();
    }
    return log;
  }

  // Before the next instance goes, this one must be back in the gateway's pool: it serves
  // clients again (HAProxy's health checks come from the gateway itself, 127.0.0.1).
  private void awaitClientTrafficOn(CofferProcess instance) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (instance.requestsOfThisRun().stream()
            .filter(r -> !"127.0.0.1".equals(r.getString("clientIp")))
            .count()
        < 5) {
      assertThat(System.nanoTime())
          .as(instance.name() + " never served clients again after its restart")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
