package dev.coffer.api.apikey;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.Scrape;
import dev.coffer.api.testing.TestRedis;
import dev.coffer.ledger.LedgerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Instant;
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
 * API keys end to end, on two instances sharing the real stack: a key is created once, acts as its
 * user within its scopes and accounts, is refused everywhere the moment it is revoked, expires, can
 * never mint a broader key, survives Redis forgetting it, and has an audit trail.
 */
@ExtendWith(LedgerExtension.class)
class ApiKeyApiTest {
  private static ApiInstance a;
  private static ApiInstance b;
  private static ApiClient onA;
  private static ApiClient onB;
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    a = ApiInstance.shared();
    b = ApiInstance.start(Map.of());
    onA = a.client();
    onB = b.client();
    vertx = Vertx.vertx();
    redis = TestRedis.cluster(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    onA.close();
    onB.close();
    b.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static JsonObject createKey(ApiClient api, String token, JsonObject body) {
    Reply created = api.post("/v1/api-keys", token, body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json();
  }

  static JsonObject newKey(String name, String... scopes) {
    return new JsonObject().put("name", name).put("scopes", new JsonArray(List.of(scopes)));
  }

  // An account opened through B, so that B's client sends its write's token on later reads: a key
  // is another credential than the session that opened it, and reads as fresh as it is told.
  private static String openOnB(Caller owner) {
    return onB.openAccount(owner, "EUR");
  }

  private static long available(Caller owner, String account) {
    return onA.account(owner, account).getLong("available");
  }

  @Test
  void aKeyIsShownOnceAndListedWithItsPrefixNeverItsSecret() {
    Caller alice = onA.newCaller();
    JsonObject created =
        createKey(onA, alice.token(), newKey("payouts", "transfers:write", "accounts:read"));
    String key = created.getString("key");
    assertThat(key).matches(ApiKeyTokens.PATTERN.pattern()).startsWith("ck_live_");
    assertThat(created.getString("prefix")).isEqualTo(key.substring(0, 60));
    assertThat(created.getJsonArray("scopes").getList())
        .containsExactlyInAnyOrder("transfers:write", "accounts:read");
    assertThat(created.getValue("accounts")).isNull();
    assertThat(created.getString("status")).isEqualTo("active");

    Reply list = onB.get("/v1/api-keys", alice.token());
    assertThat(list.status()).isEqualTo(200);
    JsonObject listed = list.json().getJsonArray("data").getJsonObject(0);
    assertThat(listed.getString("id")).isEqualTo(created.getString("id"));
    assertThat(listed.getString("prefix")).isEqualTo(created.getString("prefix"));
    assertThat(listed.containsKey("key")).isFalse();
    assertThat(list.text()).doesNotContain(key.substring(60));

    // The key works as its user, on the other instance too, and its use is listed.
    String account = openOnB(alice);
    Reply read = onB.get("/v1/accounts/" + account, key);
    assertThat(read.status()).as(read.toString()).isEqualTo(200);
    JsonObject afterUse =
        onA.get("/v1/api-keys", alice.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(afterUse.getString("lastUsedAt")).isNotNull();
  }

  @Test
  void aRevokedKeyIsRefusedByEveryInstanceAtOnce() {
    Caller alice = onA.newCaller();
    String account = openOnB(alice);
    onA.account(alice, account);
    JsonObject created = createKey(onA, alice.token(), newKey("job", "accounts:read"));
    String key = created.getString("key");
    assertThat(onA.get("/v1/accounts/" + account, key).status()).isEqualTo(200);
    assertThat(onB.get("/v1/accounts/" + account, key).status()).isEqualTo(200);

    assertThat(onB.delete("/v1/api-keys/" + created.getString("id"), alice.token()).status())
        .isEqualTo(204);

    // No cache anywhere: the very next request, on either instance, is refused.
    assertProblem(onA.get("/v1/accounts/" + account, key), 401, "unauthenticated");
    assertProblem(onB.get("/v1/accounts/" + account, key), 401, "unauthenticated");
    // Revoking again is the same answer; the list shows it revoked.
    assertThat(onA.delete("/v1/api-keys/" + created.getString("id"), alice.token()).status())
        .isEqualTo(204);
    JsonObject listed =
        onA.get("/v1/api-keys", alice.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(listed.getString("status")).isEqualTo("revoked");
    assertThat(listed.getString("revokedAt")).isNotNull();
  }

  @Test
  void anExpiredKeyIsUnauthenticated() throws Exception {
    Caller alice = onA.newCaller();
    String account = openOnB(alice);
    onA.account(alice, account);
    Instant expiry = Instant.now().plusMillis(1500);
    JsonObject created =
        createKey(
            onA,
            alice.token(),
            newKey("short", "accounts:read").put("expiresAt", expiry.toString()));
    String key = created.getString("key");
    assertThat(onA.get("/v1/accounts/" + account, key).status()).isEqualTo(200);
    Thread.sleep(Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis()) + 100);
    assertProblem(onA.get("/v1/accounts/" + account, key), 401, "unauthenticated");
    assertProblem(onB.get("/v1/accounts/" + account, key), 401, "unauthenticated");
    JsonObject listed =
        onA.get("/v1/api-keys", alice.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(listed.getString("status")).isEqualTo("expired");
    // An expiry in the past is no key at all.
    assertProblem(
        onA.post(
            "/v1/api-keys",
            alice.token(),
            newKey("late", "accounts:read").put("expiresAt", "2020-01-01T00:00:00Z")),
        422,
        "validation");
  }

  @Test
  void aReadOnlyKeyCannotMoveMoneyAndMovesNothing() {
    Caller alice = onA.newCaller();
    Caller bob = onA.newCaller();
    String from = onA.openAccount(alice, "EUR");
    String to = onA.openAccount(bob, "EUR");
    onA.deposit(alice, from, 1_000);
    String key =
        createKey(onA, alice.token(), newKey("reader", "accounts:read", "transfers:read"))
            .getString("key");

    Reply paid = onA.move("/v1/transfers", key, ApiClient.transfer(from, to, 100));
    assertProblem(paid, 403, "insufficient-scope");
    assertThat(paid.json().getString("requiredScope")).isEqualTo("transfers:write");
    assertProblem(
        onA.move("/v1/withdrawals", key, new JsonObject().put("accountId", from).put("amount", 1)),
        403,
        "insufficient-scope");
    assertProblem(
        onA.post("/v1/accounts", key, new JsonObject().put("currency", "EUR")),
        403,
        "insufficient-scope");
    // Nor may it log out (a session's business) or read what it was not given.
    Reply logOut = onA.delete("/v1/sessions/current", key);
    assertProblem(logOut, 403, "insufficient-scope");
    assertThat(logOut.json().getString("requiredScope")).isEqualTo("session");
    assertProblem(onA.get("/v1/webhooks", key), 403, "insufficient-scope");
    assertProblem(onA.get("/v1/api-keys", key), 403, "insufficient-scope");

    assertThat(available(alice, from)).isEqualTo(1_000);
    assertThat(available(bob, to)).isZero();
    assertThat(onA.get("/v1/accounts/" + from, key).status()).isEqualTo(200);
  }

  @Test
  void aKeyLimitedToOneAccountSeesAnyOtherExactlyAsAStranger() {
    Caller alice = onA.newCaller();
    Caller stranger = onA.newCaller();
    String reached = onA.openAccount(alice, "EUR");
    String other = onA.openAccount(alice, "EUR");
    onA.deposit(alice, reached, 1_000);
    onA.deposit(alice, other, 1_000);
    String otherTransfer = onA.deposit(alice, other, 5).getString("id");
    String key =
        createKey(
                onA,
                alice.token(),
                newKey("one account", "accounts:read", "transfers:write", "exports:read")
                    .put("accounts", new JsonArray().add(reached)))
            .getString("key");

    for (String path :
        List.of(
            "/v1/accounts/" + other,
            "/v1/accounts/" + other + "/entries",
            "/v1/accounts/" + other + "/balance",
            "/v1/accounts/" + other + "/entries.csv",
            "/v1/transfers/" + otherTransfer,
            "/v1/transfers?account=" + other)) {
      Reply byKey = onA.get(path, key);
      Reply byStranger = onA.get(path, stranger.token());
      assertThat(byKey.status()).as(path + ": " + byKey).isEqualTo(404);
      assertThat(byKey.json()).as(path).isEqualTo(byStranger.json());
    }
    // Money: from the other account, as from a stranger's; nothing moves.
    Reply fromOther = onA.move("/v1/transfers", key, ApiClient.transfer(other, reached, 10));
    Reply fromStrangers =
        onA.move("/v1/transfers", stranger.token(), ApiClient.transfer(other, reached, 10));
    assertThat(fromOther.status()).isEqualTo(404);
    assertThat(fromOther.json()).isEqualTo(fromStrangers.json());
    JsonObject fromOtherBatch =
        new JsonObject()
            .put("transfers", new JsonArray().add(ApiClient.transfer(other, reached, 1)));
    Reply batchByKey = onA.move("/v1/transfers:batch", key, fromOtherBatch);
    Reply batchByStranger = onA.move("/v1/transfers:batch", stranger.token(), fromOtherBatch);
    assertThat(batchByKey.status()).as(batchByKey.toString()).isEqualTo(batchByStranger.status());
    assertThat(batchByKey.json()).isEqualTo(batchByStranger.json());
    Reply secondItem =
        onA.move(
            "/v1/transfers:batch",
            key,
            new JsonObject()
                .put(
                    "transfers",
                    new JsonArray()
                        .add(ApiClient.transfer(reached, other, 1))
                        .add(ApiClient.transfer(other, reached, 1))));
    assertThat(secondItem.json().getJsonArray("errors").getJsonObject(0).getInteger("index"))
        .isEqualTo(1);
    assertProblem(
        onA.move("/v1/transfers/" + otherTransfer + "/reverse", key, new JsonObject()),
        404,
        "not-found");
    assertThat(available(alice, other)).isEqualTo(1_005);
    // What it reaches works; its lists show only that.
    assertThat(onA.move("/v1/transfers", key, ApiClient.transfer(reached, other, 10)).status())
        .isEqualTo(201);
    JsonArray accounts = onA.get("/v1/accounts", key).json().getJsonArray("data");
    assertThat(accounts.stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .containsExactly(reached);
    JsonArray transfers = onA.get("/v1/transfers", key).json().getJsonArray("data");
    assertThat(transfers).isNotEmpty();
    transfers.forEach(
        t ->
            assertThat(
                    List.of(
                        String.valueOf(((JsonObject) t).getString("fromAccountId")),
                        String.valueOf(((JsonObject) t).getString("toAccountId"))))
                .contains(reached));
    assertThat(available(alice, other)).isEqualTo(1_015);
  }

  @Test
  void aKeyCannotMintABroaderKeyAndItsKeysDieWithIt() {
    Caller alice = onA.newCaller();
    String account = openOnB(alice);
    String other = onA.openAccount(alice, "EUR");
    Instant parentExpiry = Instant.now().plusSeconds(3600);
    JsonObject parent =
        createKey(
            onA,
            alice.token(),
            newKey("minter", "api-keys:write", "accounts:read")
                .put("accounts", new JsonArray().add(account))
                .put("expiresAt", parentExpiry.toString()));
    String minter = parent.getString("key");

    Reply broaderScope = onA.post("/v1/api-keys", minter, newKey("x", "transfers:write"));
    assertProblem(broaderScope, 403, "insufficient-scope");
    assertThat(broaderScope.json().getString("requiredScope")).isEqualTo("transfers:write");
    assertProblem(
        onA.post("/v1/api-keys", minter, newKey("x", "accounts:write")), 403, "insufficient-scope");
    assertProblem(
        onA.post("/v1/api-keys", minter, newKey("all accounts", "accounts:read")),
        403,
        "insufficient-scope");
    assertProblem(
        onA.post(
            "/v1/api-keys",
            minter,
            newKey("other", "accounts:read").put("accounts", new JsonArray().add(other))),
        403,
        "insufficient-scope");
    assertProblem(
        onA.post(
            "/v1/api-keys",
            minter,
            newKey("longer", "accounts:read")
                .put("accounts", new JsonArray().add(account))
                .put("expiresAt", parentExpiry.plusSeconds(60).toString())),
        403,
        "insufficient-scope");

    // As much as it has, or less, is fine; the expiry is inherited.
    JsonObject child =
        createKey(
            onA,
            minter,
            newKey("child", "accounts:read").put("accounts", new JsonArray().add(account)));
    assertThat(Instant.parse(child.getString("expiresAt")))
        .isEqualTo(parentExpiry.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(child.getString("createdByKey")).isEqualTo(parent.getString("id"));
    String childKey = child.getString("key");
    assertThat(onB.get("/v1/accounts/" + account, childKey).status()).isEqualTo(200);
    // The minter sees itself and its child only; it may not revoke a key it did not make.
    String sibling =
        createKey(onA, alice.token(), newKey("sibling", "accounts:read")).getString("id");
    List<Object> seen =
        onA.get("/v1/api-keys", minter).json().getJsonArray("data").stream()
            .map(o -> ((JsonObject) o).getString("id"))
            .map(Object.class::cast)
            .toList();
    assertThat(seen).containsExactlyInAnyOrder(parent.getString("id"), child.getString("id"));
    assertProblem(onA.delete("/v1/api-keys/" + sibling, minter), 404, "not-found");

    // Revoking the parent revokes the child.
    assertThat(onA.delete("/v1/api-keys/" + parent.getString("id"), alice.token()).status())
        .isEqualTo(204);
    assertProblem(onB.get("/v1/accounts/" + account, childKey), 401, "unauthenticated");
  }

  @Test
  void aKeyWithoutItsEntryInRedisIsLoadedFromTheDatabaseButARevokedOneStaysRevoked()
      throws Exception {
    Caller alice = onA.newCaller();
    String account = openOnB(alice);
    JsonObject live = createKey(onA, alice.token(), newKey("live", "accounts:read"));
    JsonObject revoked = createKey(onA, alice.token(), newKey("revoked", "accounts:read"));
    assertThat(onA.delete("/v1/api-keys/" + revoked.getString("id"), alice.token()).status())
        .isEqualTo(204);
    UUID user = UUID.fromString(alice.id());
    // What a Redis node restarted without persistence would have forgotten.
    for (String redisKey :
        List.of(
            ApiKeyMirror.entry(user, UUID.fromString(live.getString("id"))),
            ApiKeyMirror.entry(user, UUID.fromString(revoked.getString("id"))) + ":revoked",
            "coffer:apikeys:{u:" + user + "}:mirrored")) {
      redis.send(Request.cmd(Command.DEL).arg(redisKey)).await(5, TimeUnit.SECONDS);
    }
    assertThat(onB.get("/v1/accounts/" + account, live.getString("key")).status()).isEqualTo(200);
    assertProblem(
        onB.get("/v1/accounts/" + account, revoked.getString("key")), 401, "unauthenticated");
  }

  @Test
  void aMadeUpKeyIsRefusedWithoutALookup() {
    Caller alice = onA.newCaller();
    String real = createKey(onA, alice.token(), newKey("real", "accounts:read")).getString("key");
    double malformed = Scrape.value(onA, "coffer_api_key_requests_total", "result=\"malformed\"");
    // The same user and key ids with another tag, and another secret with the right tag.
    String badTag = real.substring(0, 52) + "AAAAAAAA" + real.substring(60);
    String badSecret = real.substring(0, 60) + "A".repeat(43);
    assertProblem(onA.get("/v1/accounts", badTag), 401, "unauthenticated");
    assertProblem(onA.get("/v1/accounts", badSecret), 401, "unauthenticated");
    assertProblem(onA.get("/v1/accounts", "ck_live_short"), 401, "unauthenticated");
    assertThat(Scrape.value(onA, "coffer_api_key_requests_total", "result=\"malformed\""))
        .isEqualTo(malformed + 2);
    assertThat(Scrape.value(onA, "coffer_api_key_requests_total", "result=\"unknown\""))
        .isPositive();
  }

  @Test
  void theAuditTrailTellsCreationNewAddressesAndRevocation() {
    Caller alice = onA.newCaller();
    JsonObject created = createKey(onA, alice.token(), newKey("audited", "accounts:read"));
    String id = created.getString("id");
    assertThat(onA.get("/v1/accounts", created.getString("key")).status()).isEqualTo(200);
    assertThat(onB.get("/v1/accounts", created.getString("key")).status()).isEqualTo(200);
    assertThat(onA.delete("/v1/api-keys/" + id, alice.token()).status()).isEqualTo(204);
    Reply events = onB.get("/v1/api-keys/" + id + "/events", alice.token());
    assertThat(events.status()).as(events.toString()).isEqualTo(200);
    List<String> types =
        events.json().getJsonArray("data").stream()
            .map(e -> ((JsonObject) e).getString("type"))
            .toList();
    // Newest first; the second request came from the same address: no second new-address.
    assertThat(types).containsExactly("revoked", "new-address", "created");
    events
        .json()
        .getJsonArray("data")
        .forEach(e -> assertThat(((JsonObject) e).getString("address")).isEqualTo("127.0.0.1"));
    // Someone else's key is not there.
    Caller bob = onA.newCaller();
    assertProblem(onA.get("/v1/api-keys/" + id + "/events", bob.token()), 404, "not-found");
    assertProblem(onA.delete("/v1/api-keys/" + id, bob.token()), 404, "not-found");
  }

  @Test
  void aKeyHasItsOwnRateLimit() {
    try (ApiInstance limited = ApiInstance.start(Map.of("COFFER_RATE_LIMIT_API_KEY", "3/60"));
        ApiClient api = limited.client()) {
      Caller alice = api.newCaller();
      String key = createKey(api, alice.token(), newKey("slow", "accounts:read")).getString("key");
      for (int i = 0; i < 3; i++) {
        assertThat(api.get("/v1/accounts", key).status()).isEqualTo(200);
      }
      Reply refused = api.get("/v1/accounts", key);
      assertProblem(refused, 429, "rate-limited");
      assertThat(refused.header("RateLimit-Policy")).contains("\"api-key\";q=3;w=60");
      // The user's session is not held back by its key's limit.
      assertThat(api.get("/v1/accounts", alice.token()).status()).isEqualTo(200);
    }
  }

  @Test
  void theStreamTakesAKeyWithStreamReadAndClosesWhenItIsRevoked() throws Exception {
    Caller alice = onA.newCaller();
    String account = onA.openAccount(alice, "EUR");
    String other = onA.openAccount(alice, "EUR");
    WebSocketClient sockets = vertx.createWebSocketClient();
    String noStream =
        createKey(onA, alice.token(), newKey("no stream", "accounts:read")).getString("key");
    assertThatThrownBy(() -> connect(sockets, b, noStream)).hasMessageContaining("403");

    JsonObject created =
        createKey(
            onA,
            alice.token(),
            newKey("watcher", "stream:read").put("accounts", new JsonArray().add(account)));
    // The key is another credential than the session that opened the account, and the stream
    // takes no consistency token: wait until a read without one (the replica's) sees the account.
    try (ApiClient fresh = b.client().withoutTokenPropagation()) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (fresh.get("/v1/accounts/" + account, noStream).status() != 200) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(20);
      }
    }
    BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
    WebSocket socket = connect(sockets, b, created.getString("key"));
    socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
    socket.closeHandler(
        v -> closed.add(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
    socket.writeTextMessage(
        new JsonObject()
            .put("op", "subscribe")
            .put(
                "accounts",
                new JsonArray()
                    .add(new JsonObject().put("id", account))
                    .add(new JsonObject().put("id", other)))
            .encode());
    JsonObject first = next(messages);
    JsonObject second = next(messages);
    assertThat(List.of(first.getString("type"), second.getString("type")))
        .as(first.encode() + " " + second.encode())
        .containsExactlyInAnyOrder("subscribed", "error");
    JsonObject error = "error".equals(first.getString("type")) ? first : second;
    assertThat(error.getString("code")).isEqualTo("not-found");
    assertThat(error.getString("accountId")).isEqualTo(other);

    onA.deposit(alice, account, 7);
    assertThat(next(messages).getString("type")).isEqualTo("entry");

    assertThat(onA.delete("/v1/api-keys/" + created.getString("id"), alice.token()).status())
        .isEqualTo(204);
    assertThat(closed.poll(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);
  }

  private static WebSocket connect(WebSocketClient sockets, ApiInstance instance, String token)
      throws Exception {
    return sockets
        .connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(instance.port())
                .setURI("/v1/stream")
                .addSubProtocol("bearer." + token))
        .await(10, TimeUnit.SECONDS);
  }

  private static JsonObject next(BlockingQueue<JsonObject> messages) throws InterruptedException {
    JsonObject message;
    do {
      message = messages.poll(10, TimeUnit.SECONDS);
      assertThat(message).as("a message within 10 s").isNotNull();
    } while ("heartbeat".equals(message.getString("type")));
    return message;
  }
}
