package dev.coffer.api.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.api.session.SessionStore;
import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.TestRedis;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /v1/stream} over real WebSockets against two instances on the real stack. The reconcile
 * runs only once a minute on both, so an entry that arrives in time came over the Redis bus; the
 * one test that needs the reconcile starts an instance of its own.
 */
@ExtendWith(LedgerExtension.class)
class StreamApiTest {
  private static final Map<String, String> BUS_ONLY =
      Map.of("COFFER_STREAM_RECONCILE_MS", "60000", "COFFER_STREAM_SESSION_CHECK_MS", "600000");
  private static ApiInstance a;
  private static ApiInstance b;
  // Small limits, for the tests of what one client may cost (issue 27).
  private static ApiInstance limited;
  private static ApiClient onA;
  private static Vertx vertx;
  private static WebSocketClient sockets;

  @BeforeAll
  static void start() {
    a = ApiInstance.start(BUS_ONLY);
    b = ApiInstance.start(BUS_ONLY);
    limited =
        ApiInstance.start(
            Map.of(
                "COFFER_STREAM_MAX_ACCOUNTS", "3",
                "COFFER_STREAM_MESSAGES_PER_SECOND", "3",
                "COFFER_RATE_LIMIT_READS", "4/60",
                "COFFER_RATE_LIMIT_ANONYMOUS", "3/60"));
    onA = a.client();
    vertx = Vertx.vertx();
    sockets = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    onA.close();
    a.close();
    b.close();
    limited.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A connected client that queues every text message it gets. */
  private record Stream(WebSocket socket, BlockingQueue<JsonObject> messages) {
    JsonObject next() throws InterruptedException {
      JsonObject message;
      do {
        message = messages.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("a message within 10 s").isNotNull();
      } while ("heartbeat".equals(message.getString("type")));
      return message;
    }

    void send(JsonObject message) {
      socket.writeTextMessage(message.encode());
    }

    void subscribe(String account, Long since) {
      JsonObject item = new JsonObject().put("id", account);
      if (since != null) {
        item.put("since", since);
      }
      send(new JsonObject().put("op", "subscribe").put("accounts", new JsonArray().add(item)));
    }
  }

  private static Stream connect(ApiInstance instance, String token) throws Exception {
    return connect(sockets, instance, token);
  }

  private static Stream connect(WebSocketClient sockets, ApiInstance instance, String token)
      throws Exception {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(instance.port())
            .setURI("/v1/stream");
    if (token != null) {
      options.addSubProtocol("bearer." + token);
    }
    WebSocket socket = sockets.connect(options).await(10, TimeUnit.SECONDS);
    BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
    return new Stream(socket, messages);
  }

  private static List<JsonObject> entries(Stream stream, int n) throws InterruptedException {
    List<JsonObject> got = new ArrayList<>();
    while (got.size() < n) {
      JsonObject message = stream.next();
      assertThat(message.getString("type")).as(message.encode()).isEqualTo("entry");
      got.add(message);
    }
    return got;
  }

  @Test
  void theHandshakeTakesTheTokenAsSubProtocolAndEchoesIt() throws Exception {
    Caller alice = onA.newCaller();
    Stream stream = connect(b, alice.token());
    assertThat(stream.socket().subProtocol()).isEqualTo("bearer." + alice.token());
    stream.socket().close();
    assertThatThrownBy(() -> connect(b, null)).hasMessageContaining("401");
    assertThatThrownBy(() -> connect(b, "made-up")).hasMessageContaining("401");
    // Without the upgrade, the path says what it is.
    Reply plain = onA.get("/v1/stream", alice.token());
    assertThat(plain.status()).isEqualTo(426);
    assertThat(plain.json().getString("code")).isEqualTo("upgrade-required");
  }

  @Test
  void aWriteOnOneInstanceReachesASubscriberOnAnotherInSeqOrder() throws Exception {
    Caller alice = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    Stream stream = connect(b, alice.token());
    stream.subscribe(account, null);
    JsonObject subscribed = stream.next();
    assertThat(subscribed.getString("type")).isEqualTo("subscribed");
    assertThat(subscribed.getLong("seq")).isZero();
    for (int i = 1; i <= 5; i++) {
      onA.deposit(alice, account, 100L * i);
    }
    List<JsonObject> got = entries(stream, 5);
    long balance = 0;
    for (int i = 0; i < 5; i++) {
      JsonObject message = got.get(i);
      balance += 100L * (i + 1);
      assertThat(message.getString("accountId")).isEqualTo(account);
      assertThat(message.getJsonObject("entry").getLong("seq")).isEqualTo(i + 1);
      assertThat(message.getJsonObject("entry").getString("kind")).isEqualTo("deposit");
      assertThat(message.getLong("balance")).isEqualTo(balance);
    }
    assertThat(got.get(4).getLong("available")).isEqualTo(1_500);
    stream.socket().close();
  }

  @Test
  void anEntryThatMadeAMonitorFireCarriesItOnceAndAResumeSendsItAgainWithTheEntry()
      throws Exception {
    Caller alice = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    Reply monitor =
        onA.post(
            "/v1/accounts/" + account + "/monitors",
            alice.token(),
            new JsonObject().put("field", "balance").put("operator", ">=").put("threshold", 500));
    assertThat(monitor.status()).as(monitor.toString()).isEqualTo(201);
    Stream stream = connect(b, alice.token());
    stream.subscribe(account, null);
    assertThat(stream.next().getString("type")).isEqualTo("subscribed");
    onA.deposit(alice, account, 300); // 300: below
    onA.deposit(alice, account, 300); // 600: crosses
    onA.deposit(alice, account, 300); // 900: still true, no crossing
    List<JsonObject> got = entries(stream, 3);
    assertThat(got.get(0).containsKey("monitorsTriggered")).isFalse();
    JsonArray fired = got.get(1).getJsonArray("monitorsTriggered");
    assertThat(fired).as(got.get(1).encode()).hasSize(1);
    assertThat(fired.getJsonObject(0).getString("monitorId"))
        .isEqualTo(monitor.json().getString("id"));
    assertThat(fired.getJsonObject(0).getLong("seq")).isEqualTo(2);
    assertThat(fired.getJsonObject(0).getLong("value")).isEqualTo(600);
    assertThat(got.get(2).containsKey("monitorsTriggered")).isFalse();
    stream.socket().close();
    // Resumed from before the crossing, on the other instance: the same entry, the same event.
    Stream resumed = connect(a, alice.token());
    resumed.subscribe(account, 1L);
    assertThat(resumed.next().getString("type")).isEqualTo("subscribed");
    List<JsonObject> again = entries(resumed, 2);
    assertThat(again.get(0).getJsonArray("monitorsTriggered")).isEqualTo(fired);
    assertThat(again.get(1).containsKey("monitorsTriggered")).isFalse();
    resumed.socket().close();
  }

  @Test
  void anotherUsersAccountIsAnErrorAndNothingOfItIsSent() throws Exception {
    Caller alice = onA.newCaller();
    Caller mallory = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    String own = onA.openAccount(mallory, "EUR");
    Stream stream = connect(a, mallory.token());
    stream.subscribe(account, 0L);
    JsonObject error = stream.next();
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getString("code")).isEqualTo("not-found");
    assertThat(error.getString("accountId")).isEqualTo(account);
    stream.subscribe(own, null);
    assertThat(stream.next().getString("type")).isEqualTo("subscribed");
    onA.deposit(alice, account, 7);
    onA.deposit(mallory, own, 9);
    // The next entry is mallory's own: alice's never came.
    JsonObject next = entries(stream, 1).get(0);
    assertThat(next.getString("accountId")).isEqualTo(own);
    assertThat(stream.messages().poll(300, TimeUnit.MILLISECONDS)).isNull();
    stream.socket().close();
  }

  @Test
  void sinceResumesWithNoGapAndNoDuplicateAtTheSeam() throws Exception {
    Caller alice = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    for (int i = 0; i < 4; i++) {
      onA.deposit(alice, account, 10);
    }
    Stream stream = connect(b, alice.token());
    stream.subscribe(account, 1L);
    assertThat(stream.next().getLong("seq")).isEqualTo(1);
    // Live writes race the catch-up: each seq must still come once, in order.
    for (int i = 0; i < 3; i++) {
      onA.deposit(alice, account, 10);
    }
    List<JsonObject> got = entries(stream, 6);
    for (int i = 0; i < 6; i++) {
      assertThat(got.get(i).getJsonObject("entry").getLong("seq")).isEqualTo(i + 2);
      assertThat(got.get(i).getLong("balance")).isEqualTo(10L * (i + 2));
    }
    assertThat(stream.messages().poll(300, TimeUnit.MILLISECONDS)).isNull();
    stream.socket().close();
  }

  @Test
  void anEntryNoMessageAnnouncedIsFilledFromTheLedger(LedgerFixture ledger) throws Exception {
    ApiInstance reconciling = ApiInstance.start(Map.of("COFFER_STREAM_RECONCILE_MS", "200"));
    try {
      Caller alice = onA.newCaller();
      String account = onA.openAccount(alice, "EUR");
      Stream stream = connect(reconciling, alice.token());
      stream.subscribe(account, null);
      assertThat(stream.next().getString("type")).isEqualTo("subscribed");
      // Written straight into the ledger: no instance announces it on the bus.
      LedgerFixture.await(
          ledger.transfers.move(
              UUID.fromString(alice.id()),
              dev.coffer.ledger.transfer.TransferRequest.deposit(
                  UUID.fromString(account), 42, "unannounced")));
      JsonObject entry = entries(stream, 1).get(0);
      assertThat(entry.getJsonObject("entry").getLong("seq")).isEqualTo(1);
      assertThat(entry.getLong("balance")).isEqualTo(42);
      stream.socket().close();
    } finally {
      reconciling.close();
    }
  }

  @Test
  void loggingOutClosesTheStreamOnAnotherInstanceAtOnce() throws Exception {
    // The periodic session check is ten minutes away here: the log-out's message closes it.
    Caller alice = onA.newCaller();
    Stream stream = connect(b, alice.token());
    BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
    stream.socket().closeHandler(v -> closed.add(stream.socket().closeStatusCode()));
    assertThat(onA.delete("/v1/sessions/current", alice.token()).status()).isEqualTo(204);
    Short code = closed.poll(10, TimeUnit.SECONDS);
    assertThat(code).isEqualTo((short) 1008);
    assertThat(stream.socket().closeReason()).contains("session ended");
  }

  @Test
  void aSessionThatExpiresClosesItsStreamAtTheNextCheck() throws Exception {
    ApiInstance checking = ApiInstance.start(Map.of("COFFER_STREAM_SESSION_CHECK_MS", "300"));
    Redis redis = TestRedis.cluster(vertx);
    try {
      Caller alice = onA.newCaller();
      Stream stream = connect(checking, alice.token());
      BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
      stream.socket().closeHandler(v -> closed.add(stream.socket().closeStatusCode()));
      // Expiry announces nothing: the key is simply gone.
      redis
          .send(Request.cmd(Command.DEL).arg(SessionStore.key(alice.token())))
          .await(5, TimeUnit.SECONDS);
      assertThat(closed.poll(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);
      assertThat(stream.socket().closeReason()).contains("session ended");
    } finally {
      redis.close();
      checking.close();
    }
  }

  @Test
  void aClosedStreamGivesBackItsPlaceUnderTheConnectionCap() throws Exception {
    // Found by dev/bench/stream-bench: upgraded connections were never counted as closed, so an
    // instance refused every connection once this many streams had ever been opened.
    ApiInstance capped = ApiInstance.start(Map.of("COFFER_HTTP_MAX_CONNECTIONS", "3"));
    try {
      Caller alice = onA.newCaller();
      for (int i = 0; i < 8; i++) {
        Stream stream = connectWithin(capped, alice.token(), 5_000);
        BlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
        stream.socket().closeHandler(v -> closed.add(true));
        stream.socket().close();
        assertThat(closed.poll(10, TimeUnit.SECONDS)).as("stream %d closed", i).isTrue();
      }
    } finally {
      capped.close();
    }
  }

  // The server frees a place when it sees the TCP close, a moment after the client does.
  private static Stream connectWithin(ApiInstance instance, String token, long millis)
      throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (true) {
      try {
        return connect(instance, token);
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void aStoppingInstanceClosesItsStreamsWith1001SoClientsReconnectElsewhere() throws Exception {
    ApiInstance leaving = ApiInstance.start(Map.of());
    Caller alice = onA.newCaller();
    Stream stream = connect(leaving, alice.token());
    BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
    stream.socket().closeHandler(v -> closed.add(stream.socket().closeStatusCode()));
    leaving.close();
    assertThat(closed.poll(10, TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(stream.socket().closeReason()).contains("reconnect with since");
  }

  @Test
  void aClientThatDoesNotReadIsClosedWith1008WhileOthersKeepReceiving(LedgerFixture ledger)
      throws Exception {
    ApiInstance small = ApiInstance.start(Map.of("COFFER_STREAM_QUEUE_BYTES", "4096"));
    try {
      Caller alice = onA.newCaller();
      String account = onA.openAccount(alice, "EUR");
      // About 8 MB of history in one statement: more than a reader that never reads can take
      // into its socket buffers (a few MB on loopback), so the server's queue must fill.
      ledger.query(
          "SELECT coffer_move(gen_random_uuid(), 'deposit', NULL, '"
              + account
              + "', 1, '"
              + alice.id()
              + "', NULL, repeat('x', 1000)) FROM generate_series(1, 6000)");
      Stream slow = connect(small, alice.token());
      BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
      slow.socket().closeHandler(v -> closed.add(slow.socket().closeStatusCode()));
      slow.socket().pause();
      slow.subscribe(account, 0L);
      Stream fine = connect(small, alice.token());
      fine.subscribe(account, 5_999L);
      assertThat(fine.next().getString("type")).isEqualTo("subscribed");
      assertThat(entries(fine, 1).get(0).getJsonObject("entry").getLong("seq")).isEqualTo(6_000);
      // Only a reader sees the close frame: read again once the server has given up.
      Thread.sleep(2_000);
      slow.socket().resume();
      assertThat(closed.poll(20, TimeUnit.SECONDS)).isEqualTo((short) 1008);
      assertThat(slow.socket().closeReason()).contains("slow consumer");
      onA.deposit(alice, account, 1);
      assertThat(entries(fine, 1).get(0).getJsonObject("entry").getLong("seq")).isEqualTo(6_001);
      fine.socket().close();
    } finally {
      small.close();
    }
  }

  // Issue 27, finding 2: what one connection may cost.

  /** Every message until none has come for half a second (heartbeats left out). */
  private static List<JsonObject> drain(Stream stream) throws InterruptedException {
    List<JsonObject> got = new ArrayList<>();
    JsonObject message;
    while ((message = stream.messages().poll(500, TimeUnit.MILLISECONDS)) != null) {
      if (!"heartbeat".equals(message.getString("type"))) {
        got.add(message);
      }
    }
    return got;
  }

  private static long count(List<JsonObject> messages, String type, String code) {
    return messages.stream()
        .filter(m -> type.equals(m.getString("type")))
        .filter(m -> code == null || code.equals(m.getString("code")))
        .count();
  }

  @Test
  void aSubscribeMessageNamingMoreAccountsThanTheCapIsRefusedWhole() throws Exception {
    Caller alice = onA.newCaller();
    Stream stream = connect(limited, alice.token());
    JsonArray four = new JsonArray();
    for (int i = 0; i < 4; i++) {
      four.add(new JsonObject().put("id", UUID.randomUUID().toString()));
    }
    stream.send(new JsonObject().put("op", "subscribe").put("accounts", four));
    JsonObject refused = stream.next();
    assertThat(refused.getString("type")).isEqualTo("error");
    assertThat(refused.getString("code")).isEqualTo("stream-limit");
    assertThat(refused.containsKey("accountId")).isFalse();
    // Refused before any account was looked at: no not-found per id.
    assertThat(drain(stream)).isEmpty();
    stream.socket().close();
  }

  @Test
  void subscriptionsStillBeingCheckedCountAgainstTheCap() throws Exception {
    Caller alice = onA.newCaller();
    List<String> accounts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      accounts.add(onA.openAccount(alice, "EUR"));
    }
    Stream stream = connect(limited, alice.token());
    // Two messages at once: the second arrives while the first's accounts are being checked.
    for (int half = 0; half < 2; half++) {
      JsonArray two = new JsonArray();
      accounts
          .subList(2 * half, 2 * half + 2)
          .forEach(id -> two.add(new JsonObject().put("id", id)));
      stream.send(new JsonObject().put("op", "subscribe").put("accounts", two));
    }
    List<JsonObject> got = drain(stream);
    assertThat(count(got, "subscribed", null)).as(got.toString()).isEqualTo(3);
    assertThat(count(got, "error", "stream-limit")).as(got.toString()).isEqualTo(1);
    stream.socket().close();
  }

  @Test
  void messagesPastTheConnectionsRateAreDroppedWithOneError() throws Exception {
    Caller alice = onA.newCaller();
    Stream stream = connect(limited, alice.token());
    JsonObject unsubscribe =
        new JsonObject()
            .put("op", "unsubscribe")
            .put(
                "accounts",
                new JsonArray().add(new JsonObject().put("id", UUID.randomUUID().toString())));
    for (int i = 0; i < 40; i++) {
      stream.send(unsubscribe);
    }
    List<JsonObject> got = drain(stream);
    assertThat(count(got, "error", "rate-limited")).as(got.toString()).isPositive();
    assertThat(count(got, "unsubscribed", null)).as(got.toString()).isLessThan(40);
    // A flood is not answered by a flood: far fewer errors than dropped messages.
    assertThat(count(got, "error", "rate-limited"))
        .isLessThan(40 - count(got, "unsubscribed", null));
    stream.socket().close();
  }

  @Test
  void handshakesCountAgainstTheUsersReadLimit() throws Exception {
    Caller alice = onA.newCaller();
    List<Stream> open = new ArrayList<>();
    // COFFER_RATE_LIMIT_READS=4/60 on this instance: four handshakes, then 429.
    for (int i = 0; i < 4; i++) {
      open.add(connect(limited, alice.token()));
    }
    assertThatThrownBy(() -> connect(limited, alice.token())).hasMessageContaining("429");
    open.forEach(s -> s.socket().close());
  }

  @Test
  void handshakesWithoutASessionCountAgainstTheAddresssAnonymousLimit() throws Exception {
    // An address of this test's own, so that no other request has used its budget.
    WebSocketClient fromElsewhere =
        vertx.createWebSocketClient(
            new io.vertx.core.http.WebSocketClientOptions().setLocalAddress("127.0.27.2"));
    // COFFER_RATE_LIMIT_ANONYMOUS=3/60 on this instance: three 401s, then 429.
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> connect(fromElsewhere, limited, "made-up"))
          .hasMessageContaining("401");
    }
    assertThatThrownBy(() -> connect(fromElsewhere, limited, "made-up"))
        .hasMessageContaining("429");
    assertThatThrownBy(() -> connect(fromElsewhere, limited, null)).hasMessageContaining("429");
    fromElsewhere.close();
  }

  // Issue 27, finding 6.

  @Test
  void anAccountNamedTwiceInOneMessageGetsEachEntryOnce() throws Exception {
    Caller alice = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    for (int i = 0; i < 3; i++) {
      onA.deposit(alice, account, 10);
    }
    Stream stream = connect(b, alice.token());
    JsonObject item = new JsonObject().put("id", account).put("since", 0);
    stream.send(
        new JsonObject()
            .put("op", "subscribe")
            .put("accounts", new JsonArray().add(item).add(item).add(item)));
    List<JsonObject> got = drain(stream);
    assertThat(count(got, "subscribed", null)).as(got.toString()).isEqualTo(1);
    assertThat(got.stream().filter(m -> "entry".equals(m.getString("type"))))
        .as(got.toString())
        .map(m -> m.getJsonObject("entry").getLong("seq"))
        .containsExactly(1L, 2L, 3L);
    stream.socket().close();
  }

  @Test
  void sinceMustBeAnIntegerInRange() throws Exception {
    Caller alice = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    Stream stream = connect(b, alice.token());
    for (String since : List.of("1.5", "1e30", "9223372036854775808", "-1", "\"1\"", "1.0")) {
      stream
          .socket()
          .writeTextMessage(
              "{\"op\":\"subscribe\",\"accounts\":[{\"id\":\""
                  + account
                  + "\",\"since\":"
                  + since
                  + "}]}");
      JsonObject refused = stream.next();
      assertThat(refused.getString("type")).as(since).isEqualTo("error");
      assertThat(refused.getString("code")).as(since).isEqualTo("validation");
      assertThat(refused.getString("accountId")).isEqualTo(account);
    }
    stream.subscribe(account, 0L);
    assertThat(stream.next().getString("type")).isEqualTo("subscribed");
    stream.socket().close();
  }

  // Issue 27, finding 10.

  @Test
  void anExpiryMadeByTheSweeperIsAnnouncedOnTheBus() throws Exception {
    // Instance b reconciles once a minute: an expiry that arrives in time came over the bus.
    Caller alice = onA.newCaller();
    String from = onA.openAccount(alice, "EUR");
    String to = onA.openAccount(alice, "EUR");
    onA.deposit(alice, from, 100);
    Reply pending =
        onA.move(
            "/v1/transfers",
            alice.token(),
            ApiClient.transfer(from, to, 40).put("pending", true).put("expiresInSeconds", 1));
    assertThat(pending.status()).as(pending.toString()).isEqualTo(201);
    Stream stream = connect(b, alice.token());
    stream.subscribe(from, 2L);
    assertThat(stream.next().getString("type")).isEqualTo("subscribed");
    JsonObject expired = entries(stream, 1).get(0);
    assertThat(expired.getJsonObject("entry").getLong("seq")).isEqualTo(3);
    assertThat(expired.getJsonObject("entry").getString("status")).isEqualTo("expired");
    assertThat(expired.getLong("available")).isEqualTo(100);
    stream.socket().close();
  }

  // Issue 27, finding 9.

  @Test
  void aMessageOver64KiBIsClosedWith1009() throws Exception {
    // One client writes one frame as large as it likes; the other splits a large message into
    // frames of 64 KiB.
    WebSocketClient big =
        vertx.createWebSocketClient(
            new io.vertx.core.http.WebSocketClientOptions()
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(1 << 22));
    Caller alice = onA.newCaller();
    for (WebSocketClient client : List.of(big, sockets)) {
      Stream stream = connect(client, b, alice.token());
      BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
      stream.socket().closeHandler(v -> closed.add(stream.socket().closeStatusCode()));
      stream.socket().writeTextMessage("x".repeat(client == big ? 65_537 : 200_000));
      assertThat(closed.poll(10, TimeUnit.SECONDS))
          .as(client == big ? "one frame" : "frames of 64 KiB")
          .withFailMessage(() -> "closed " + stream.socket().closeReason())
          .isEqualTo((short) 1009);
    }
    // Exactly 64 KiB is a message like any other: answered, not closed.
    Stream stream = connect(big, b, alice.token());
    stream.socket().writeTextMessage("{\"op\":\"x\",\"pad\":\"" + "x".repeat(65_536 - 19) + "\"}");
    assertThat(stream.next().getString("code")).isEqualTo("validation");
    stream.socket().close();
    big.close();
  }
}
