package dev.coffer.api.isolation;

import static dev.coffer.api.testing.ApiClient.transfer;
import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** User B can neither see nor move user A's money, by any endpoint. */
@ExtendWith(LedgerExtension.class)
class IsolationApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @Test
  void aStrangerCanNeitherSeeNorMoveAnotherUsersMoney(LedgerFixture ledger) {
    Caller alice = api.newCaller();
    Caller mallory = api.newCaller();
    String aliceMain = api.openAccount(alice, "EUR");
    String aliceOther = api.openAccount(alice, "EUR");
    String malloryAccount = api.openAccount(mallory, "EUR");
    api.deposit(alice, aliceMain, 10_000);
    String alicePending = api.pending(alice, aliceMain, aliceOther, 500);
    String alicePosted =
        api.move("/v1/transfers", alice.token(), transfer(aliceMain, aliceOther, 100))
            .json()
            .getString("id");
    Reply hook =
        api.post(
            "/v1/webhooks",
            alice.token(),
            new JsonObject()
                .put("url", "https://hooks.invalid/alice")
                .put("eventTypes", new JsonArray().add("transfer.created")));
    assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
    String aliceHook = hook.json().getString("id");
    JsonObject before = api.account(alice, aliceMain);
    String notFound = api.get("/v1/accounts/" + UUID.randomUUID(), mallory.token()).text();

    // Reading.
    for (String path :
        new String[] {
          "/v1/accounts/" + aliceMain,
          "/v1/accounts/" + aliceMain + "/entries",
          "/v1/accounts/" + aliceMain + "/balance",
          "/v1/accounts/" + aliceMain + "/balance?seq=1",
          "/v1/accounts/" + aliceMain + "/balance?at=2020-01-01T00:00:00Z",
          "/v1/accounts/" + aliceMain + "/verify",
          "/v1/accounts/" + aliceMain + "/entries.csv",
          "/v1/accounts/" + aliceMain + "/entries.ndjson",
          "/v1/transfers/" + alicePending,
          "/v1/transfers/" + alicePosted
        }) {
      Reply reply = api.get(path, mallory.token());
      assertProblem(reply, 404, "not-found");
    }
    assertThat(api.get("/v1/accounts/" + aliceMain, mallory.token()).text()).isEqualTo(notFound);
    assertProblem(api.get("/v1/transfers?account=" + aliceMain, mallory.token()), 404, "not-found");
    assertThat(api.get("/v1/transfers", mallory.token()).json().getJsonArray("data")).isEmpty();
    JsonArray mine = api.get("/v1/accounts", mallory.token()).json().getJsonArray("data");
    assertThat(mine).hasSize(1);
    assertThat(mine.getJsonObject(0).getString("id")).isEqualTo(malloryAccount);

    // Moving.
    assertProblem(
        api.move(
            "/v1/deposits",
            mallory.token(),
            new JsonObject().put("accountId", aliceMain).put("amount", 1)),
        404,
        "not-found");
    assertProblem(
        api.move(
            "/v1/withdrawals",
            mallory.token(),
            new JsonObject().put("accountId", aliceMain).put("amount", 1)),
        404,
        "not-found");
    assertProblem(
        api.move("/v1/transfers", mallory.token(), transfer(aliceMain, malloryAccount, 1)),
        404,
        "not-found");
    assertProblem(
        api.move(
            "/v1/transfers",
            mallory.token(),
            transfer(aliceMain, malloryAccount, 1).put("pending", true)),
        404,
        "not-found");
    Reply batch =
        api.move(
            "/v1/transfers:batch",
            mallory.token(),
            new JsonObject()
                .put("transfers", new JsonArray().add(transfer(aliceMain, malloryAccount, 1))));
    assertThat(batch.status()).isEqualTo(422);
    assertThat(batch.code()).isEqualTo("not-found");
    assertProblem(
        api.move("/v1/transfers/" + alicePending + "/post", mallory.token(), null),
        404,
        "not-found");
    assertProblem(
        api.move("/v1/transfers/" + alicePending + "/void", mallory.token(), null),
        404,
        "not-found");
    assertProblem(
        api.move("/v1/transfers/" + alicePosted + "/reverse", mallory.token(), new JsonObject()),
        404,
        "not-found");

    // Webhooks and events: none of Alice's can be seen or removed.
    assertProblem(api.delete("/v1/webhooks/" + aliceHook, mallory.token()), 404, "not-found");
    assertThat(api.get("/v1/webhooks", mallory.token()).json().getJsonArray("data")).isEmpty();
    assertThat(api.get("/v1/events", mallory.token()).json().getJsonArray("data")).isEmpty();
    assertThat(api.get("/v1/webhooks", alice.token()).json().getJsonArray("data")).hasSize(1);
    assertThat(api.get("/v1/events", alice.token()).json().getJsonArray("data")).isNotEmpty();
    assertThat(api.delete("/v1/webhooks/" + aliceHook, alice.token()).status()).isEqualTo(204);

    // API keys: none of Alice's can be listed, read or revoked, and hers opens nothing of his.
    Reply key =
        api.post(
            "/v1/api-keys",
            alice.token(),
            new JsonObject()
                .put("name", "alice's")
                .put("scopes", new JsonArray().add("accounts:read").add("transfers:write")));
    assertThat(key.status()).as(key.toString()).isEqualTo(201);
    String aliceKey = key.json().getString("id");
    assertThat(api.get("/v1/api-keys", mallory.token()).json().getJsonArray("data")).isEmpty();
    assertProblem(
        api.get("/v1/api-keys/" + aliceKey + "/events", mallory.token()), 404, "not-found");
    assertProblem(api.delete("/v1/api-keys/" + aliceKey, mallory.token()), 404, "not-found");
    String aliceKeyToken = key.json().getString("key");
    assertProblem(api.get("/v1/accounts/" + malloryAccount, aliceKeyToken), 404, "not-found");
    assertProblem(
        api.move("/v1/transfers", aliceKeyToken, transfer(malloryAccount, aliceMain, 1)),
        404,
        "not-found");
    assertThat(api.get("/v1/accounts/" + aliceMain, aliceKeyToken).status()).isEqualTo(200);

    // Nothing moved, nothing leaked.
    assertThat(api.account(alice, aliceMain)).isEqualTo(before);
    assertThat(api.account(mallory, malloryAccount).getLong("balance")).isZero();
    assertThat(api.get("/v1/transfers/" + alicePending, alice.token()).json().getString("status"))
        .isEqualTo("pending");
    assertThat(
            api.get("/v1/transfers/" + alicePosted, alice.token()).json().getLong("reversedAmount"))
        .isZero();
    ledger.assertInvariants();
  }

  @Test
  void aPayeeSeesThePaymentButNotThePayersAccount() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String aliceAccount = api.openAccount(alice, "EUR");
    String bobAccount = api.openAccount(bob, "EUR");
    api.deposit(alice, aliceAccount, 1_000);
    String paid = api.pending(alice, aliceAccount, bobAccount, 10);
    assertThat(api.get("/v1/transfers/" + paid, bob.token()).status()).isEqualTo(200);
    assertProblem(api.get("/v1/accounts/" + aliceAccount, bob.token()), 404, "not-found");
    // The payee may not post or void it: only the payer can.
    assertProblem(
        api.move("/v1/transfers/" + paid + "/post", bob.token(), null),
        409,
        "transfer-not-pending");
    assertProblem(
        api.move("/v1/transfers/" + paid + "/void", bob.token(), null),
        409,
        "transfer-not-pending");
  }
}
