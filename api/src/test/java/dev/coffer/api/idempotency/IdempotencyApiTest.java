package dev.coffer.api.idempotency;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Idempotency-Key at the edge: required, replayed byte for byte, never applied twice. */
@ExtendWith(LedgerExtension.class)
class IdempotencyApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  @Test
  void everyPostThatMovesMoneyRequiresAKey() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    String other = api.openAccount(caller, "EUR");
    api.deposit(caller, account, 100);
    String pending = api.pending(caller, account, other, 1);
    JsonObject deposit = new JsonObject().put("accountId", account).put("amount", 1);
    JsonObject move =
        new JsonObject().put("fromAccountId", account).put("toAccountId", other).put("amount", 1);
    Map<String, JsonObject> posts =
        Map.of(
            "/v1/deposits",
            deposit,
            "/v1/withdrawals",
            deposit,
            "/v1/transfers",
            move,
            "/v1/transfers:batch",
            new JsonObject().put("transfers", List.of(move)),
            "/v1/transfers/" + pending + "/post",
            new JsonObject(),
            "/v1/transfers/" + pending + "/void",
            new JsonObject());
    posts.forEach(
        (path, body) ->
            assertProblem(api.post(path, caller.token(), body), 400, "idempotency-key-required"));
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(100);

    for (String key : new String[] {"", "x".repeat(256), "has space", "caf\u00e9"}) {
      Reply reply = api.post("/v1/deposits", caller.token(), key, deposit);
      assertThat(reply.status()).as("key '" + key + "': " + reply).isEqualTo(400);
    }
  }

  @Test
  void aRetryReplaysTheFirstAnswerByteForByteAndMovesNothing() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    String key = UUID.randomUUID().toString();
    Reply first =
        api.post(
            "/v1/deposits",
            caller.token(),
            key,
            new JsonObject()
                .put("accountId", account)
                .put("amount", 700)
                .put("description", "once"));
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();

    // The same request, its fields in another order and spaced differently.
    Reply again =
        api.send(
            HttpMethod.POST,
            "/v1/deposits",
            Map.of(
                "Authorization",
                "Bearer " + caller.token(),
                "Content-Type",
                "application/json; charset=utf-8",
                "Idempotency-Key",
                key),
            Buffer.buffer(
                "{ \"description\" : \"once\", \"amount\": 700,\n \"accountId\": \""
                    + account
                    + "\" }"));
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.body().getBytes()).isEqualTo(first.body().getBytes());
    assertThat(again.header("Consistency-Token")).matches("[0-9a-f]{16}");
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(700);

    Reply different =
        api.post(
            "/v1/deposits",
            caller.token(),
            key,
            new JsonObject()
                .put("accountId", account)
                .put("amount", 701)
                .put("description", "once"));
    assertProblem(different, 422, "idempotency-key-reused");
    Reply otherPath =
        api.post(
            "/v1/withdrawals",
            caller.token(),
            key,
            new JsonObject()
                .put("accountId", account)
                .put("amount", 700)
                .put("description", "once"));
    assertProblem(otherPath, 422, "idempotency-key-reused");
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(700);
  }

  @Test
  void aFailedRequestStoresNothingSoItsRetryRunsAfresh() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    String key = UUID.randomUUID().toString();
    JsonObject withdraw = new JsonObject().put("accountId", account).put("amount", 50);
    assertProblem(
        api.post("/v1/withdrawals", caller.token(), key, withdraw), 422, "insufficient-funds");
    api.deposit(caller, account, 80);
    Reply retried = api.post("/v1/withdrawals", caller.token(), key, withdraw);
    assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
    assertThat(retried.header("Idempotent-Replayed")).isNull();
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(30);

    // A request the schema refused stored nothing either.
    String other = UUID.randomUUID().toString();
    assertProblem(
        api.post("/v1/deposits", caller.token(), other, new JsonObject().put("accountId", account)),
        422,
        "validation");
    assertThat(
            api.post(
                    "/v1/deposits",
                    caller.token(),
                    other,
                    new JsonObject().put("accountId", account).put("amount", 1))
                .status())
        .isEqualTo(201);
  }

  @Test
  void concurrentRequestsWithOneKeyMoveMoneyOnce() throws Exception {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    String key = UUID.randomUUID().toString();
    JsonObject deposit = new JsonObject().put("accountId", account).put("amount", 1_000);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Callable<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        calls.add(() -> api.post("/v1/deposits", caller.token(), key, deposit));
      }
      List<Reply> replies = new ArrayList<>();
      for (Future<Reply> f : pool.invokeAll(calls)) {
        replies.add(f.get());
      }
      List<Reply> created = replies.stream().filter(r -> r.status() == 201).toList();
      assertThat(created).isNotEmpty();
      assertThat(created.stream().filter(r -> r.header("Idempotent-Replayed") == null)).hasSize(1);
      assertThat(created.stream().map(r -> r.json().getString("id")).distinct()).hasSize(1);
      replies.stream()
          .filter(r -> r.status() != 201)
          .forEach(r -> assertProblem(r, 409, "idempotency-request-in-progress"));
    } finally {
      pool.shutdown();
    }
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(1_000);
  }

  @Test
  void keysAreScopedToTheUser() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String aliceAccount = api.openAccount(alice, "EUR");
    String bobAccount = api.openAccount(bob, "EUR");
    String key = "shared-key-" + UUID.randomUUID();
    Reply forAlice =
        api.post(
            "/v1/deposits",
            alice.token(),
            key,
            new JsonObject().put("accountId", aliceAccount).put("amount", 5));
    Reply forBob =
        api.post(
            "/v1/deposits",
            bob.token(),
            key,
            new JsonObject().put("accountId", bobAccount).put("amount", 5));
    assertThat(forAlice.status()).isEqualTo(201);
    assertThat(forBob.status()).isEqualTo(201);
    assertThat(forBob.header("Idempotent-Replayed")).isNull();
    assertThat(api.account(bob, bobAccount).getLong("balance")).isEqualTo(5);
  }

  @Test
  void postAndVoidReplayToo() {
    Caller caller = api.newCaller();
    String from = api.openAccount(caller, "EUR");
    String to = api.openAccount(caller, "EUR");
    api.deposit(caller, from, 10);
    String id = api.pending(caller, from, to, 10);
    String key = UUID.randomUUID().toString();
    Reply posted = api.post("/v1/transfers/" + id + "/post", caller.token(), key, null);
    Reply replayed = api.post("/v1/transfers/" + id + "/post", caller.token(), key, null);
    assertThat(posted.status()).isEqualTo(200);
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replayed.body().getBytes()).isEqualTo(posted.body().getBytes());
    assertProblem(
        api.post("/v1/transfers/" + id + "/void", caller.token(), key, null),
        422,
        "idempotency-key-reused");
  }
}
