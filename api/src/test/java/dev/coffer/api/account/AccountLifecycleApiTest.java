package dev.coffer.api.account;

import static dev.coffer.api.testing.ApiClient.transfer;
import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.BusyRetry;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 30: account metadata and names to find accounts by; closing and reopening accounts. */
@ExtendWith(LedgerExtension.class)
class AccountLifecycleApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static List<String> ids(Caller caller, String query) {
    Reply reply = api.get("/v1/accounts" + query, caller.token());
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    reply.json().getJsonArray("data").forEach(a -> ids.add(((JsonObject) a).getString("id")));
    return ids;
  }

  private static Reply patch(Caller caller, String account, JsonObject body) {
    return api.send(
        HttpMethod.PATCH,
        "/v1/accounts/" + account,
        Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", "application/json"),
        body.toBuffer());
  }

  private static String open(Caller caller, JsonObject body) {
    Reply reply = api.post("/v1/accounts", caller.token(), body.put("currency", "EUR"));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    return reply.json().getString("id");
  }

  @Test
  void accountsAreFoundByMetadataAndNameAndBothCanBeChanged() {
    Caller platform = api.newCaller();
    Caller stranger = api.newCaller();
    String wallet42 =
        open(
            platform,
            new JsonObject()
                .put("name", "wallet")
                .put("metadata", new JsonObject().put("customer", "42").put("tier", "gold")));
    String wallet43 =
        open(
            platform,
            new JsonObject()
                .put("name", "wallet")
                .put("metadata", new JsonObject().put("customer", "43")));
    String fees = open(platform, new JsonObject().put("name", "fees"));
    open(stranger, new JsonObject().put("metadata", new JsonObject().put("customer", "42")));

    JsonObject shown = api.account(platform, wallet42);
    assertThat(shown.getJsonObject("metadata"))
        .isEqualTo(new JsonObject().put("customer", "42").put("tier", "gold"));
    assertThat(shown.getString("status")).isEqualTo("open");
    assertThat(shown.getValue("closedAt")).isNull();

    assertThat(ids(platform, "?" + enc("metadata[customer]") + "=42")).containsExactly(wallet42);
    assertThat(ids(platform, "?" + enc("metadata[tier]") + "=gold&name=wallet"))
        .containsExactly(wallet42);
    assertThat(ids(platform, "?name=wallet")).containsExactly(wallet42, wallet43);
    assertThat(ids(platform, "?name=fees")).containsExactly(fees);
    assertThat(ids(platform, "?" + enc("metadata[customer]") + "=44")).isEmpty();
    assertThat(ids(platform, "?status=open")).containsExactly(wallet42, wallet43, fees);
    assertProblem(
        api.get(
            "/v1/accounts?" + enc("metadata[a]") + "=1&" + enc("metadata[b]") + "=2",
            platform.token()),
        400,
        "invalid-parameter");

    // A rename keeps the metadata; new metadata replaces the old whole.
    Reply renamed = patch(platform, wallet43, new JsonObject().put("name", "wallet of 43"));
    assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
    assertThat(renamed.json().getString("name")).isEqualTo("wallet of 43");
    assertThat(renamed.json().getJsonObject("metadata"))
        .isEqualTo(new JsonObject().put("customer", "43"));
    Reply retagged =
        patch(
            platform,
            wallet43,
            new JsonObject().put("metadata", new JsonObject().put("customer", "42b")));
    assertThat(retagged.json().getString("name")).isEqualTo("wallet of 43");
    assertThat(ids(platform, "?" + enc("metadata[customer]") + "=43")).isEmpty();
    assertThat(ids(platform, "?" + enc("metadata[customer]") + "=42b")).containsExactly(wallet43);
    assertThat(ids(platform, "?name=wallet")).containsExactly(wallet42);
    JsonObject cleared =
        patch(
                platform,
                wallet43,
                new JsonObject().putNull("name").put("metadata", new JsonObject()))
            .json();
    assertThat(cleared.getValue("name")).isNull();
    assertThat(cleared.getJsonObject("metadata")).isEqualTo(new JsonObject());
    // Another user's account is not found, whatever its metadata.
    assertProblem(
        patch(stranger, wallet42, new JsonObject().put("name", "mine")), 404, "not-found");
    assertProblem(
        patch(platform, wallet42, new JsonObject().put("metadata", new JsonObject().put("k", 1))),
        422,
        "validation");
  }

  @Test
  void closingRefusesHoldsAndBalancesSweepsWhenAskedAndAClosedAccountRefusesEveryMove() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String savings = api.openAccount(alice, "EUR");
    String dollars = api.openAccount(alice, "USD");
    String b = api.openAccount(bob, "EUR");
    api.deposit(alice, a, 10_000);
    api.deposit(bob, b, 1_000);
    String paid =
        api.move("/v1/transfers", alice.token(), transfer(a, savings, 400)).json().getString("id");
    String received =
        api.move("/v1/transfers", bob.token(), transfer(b, a, 300)).json().getString("id");

    assertProblem(
        api.post("/v1/accounts/" + a + "/close", alice.token(), null), 409, "account-not-empty");
    String hold = api.pending(alice, a, b, 100);
    assertProblem(
        api.post(
            "/v1/accounts/" + a + "/close",
            alice.token(),
            new JsonObject().put("sweepTo", savings)),
        409,
        "account-has-holds");
    api.move("/v1/transfers/" + hold + "/void", alice.token(), null);
    // The sweep follows a transfer's rules: another user's account is not found, another currency
    // is refused; neither closes the account.
    assertProblem(
        api.post("/v1/accounts/" + a + "/close", alice.token(), new JsonObject().put("sweepTo", b)),
        404,
        "not-found");
    assertProblem(
        api.post(
            "/v1/accounts/" + a + "/close",
            alice.token(),
            new JsonObject().put("sweepTo", dollars)),
        422,
        "currency-mismatch");
    assertThat(api.account(alice, a).getString("status")).isEqualTo("open");

    Reply closed =
        api.post(
            "/v1/accounts/" + a + "/close",
            alice.token(),
            new JsonObject().put("sweepTo", savings));
    assertThat(closed.status()).as(closed.toString()).isEqualTo(200);
    JsonObject account = closed.json().getJsonObject("account");
    assertThat(account.getString("status")).isEqualTo("closed");
    assertThat(account.getString("closedAt")).isNotNull();
    assertThat(account.getLong("balance")).isZero();
    String sweep = closed.json().getString("sweepTransferId");
    JsonObject sweepTransfer = api.get("/v1/transfers/" + sweep, alice.token()).json();
    assertThat(sweepTransfer.getLong("amount")).isEqualTo(10_000 - 400 + 300);
    assertThat(sweepTransfer.getString("toAccountId")).isEqualTo(savings);
    assertThat(api.account(alice, savings).getLong("balance")).isEqualTo(10_000 - 400 + 300 + 400);

    // Every move into or out of it, by anyone, is refused.
    assertProblem(
        api.move(
            "/v1/deposits", alice.token(), new JsonObject().put("accountId", a).put("amount", 1)),
        409,
        "account-closed");
    assertProblem(
        api.move(
            "/v1/withdrawals",
            alice.token(),
            new JsonObject().put("accountId", a).put("amount", 1)),
        409,
        "account-closed");
    assertProblem(api.move("/v1/transfers", bob.token(), transfer(b, a, 1)), 409, "account-closed");
    assertProblem(
        api.move("/v1/transfers", alice.token(), transfer(savings, a, 1)), 409, "account-closed");
    // Reversals too: out of it (it received) and into it (it paid).
    assertProblem(
        api.move("/v1/transfers/" + received + "/reverse", alice.token(), new JsonObject()),
        409,
        "account-closed");
    assertProblem(
        api.move("/v1/transfers/" + paid + "/reverse", alice.token(), new JsonObject()),
        409,
        "account-closed");

    // Its journal stays readable; listing tells closed from open; closing again changes nothing.
    var entries =
        api.get("/v1/accounts/" + a + "/entries", alice.token()).json().getJsonArray("data");
    assertThat(entries).hasSize(6); // deposit, paid, received, hold, void, sweep
    assertThat(entries.getJsonObject(0).getString("transferId")).isEqualTo(sweep);
    assertThat(ids(alice, "?status=closed")).containsExactly(a);
    assertThat(ids(alice, "?status=open")).containsExactly(savings, dollars);
    Reply again = api.post("/v1/accounts/" + a + "/close", alice.token(), null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getValue("sweepTransferId")).isNull();
    assertProblem(api.post("/v1/accounts/" + b + "/close", alice.token(), null), 404, "not-found");

    Reply reopened = api.post("/v1/accounts/" + a + "/reopen", alice.token(), null);
    assertThat(reopened.status()).as(reopened.toString()).isEqualTo(200);
    assertThat(reopened.json().getString("status")).isEqualTo("open");
    assertThat(api.deposit(alice, a, 5).getString("status")).isEqualTo("posted");
    assertThat(api.move("/v1/transfers", bob.token(), transfer(b, a, 1)).status()).isEqualTo(201);
  }

  @Test
  void aClosedAccountRefusesMovesFromEveryInstanceAtOnce() throws Exception {
    try (ApiInstance second = ApiInstance.start(Map.of());
        ApiClient other = second.client()) {
      Caller alice = api.newCaller();
      String a = api.openAccount(alice, "EUR");
      String savings = api.openAccount(alice, "EUR");
      String shop = api.openAccount(alice, "EUR");
      api.deposit(alice, a, 100_000);
      List<ApiClient> clients = List.of(api, other);
      AtomicBoolean closedSeen = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(16);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Long>> writers = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        ApiClient client = clients.get(w % 2);
        boolean into = w % 4 == 0;
        writers.add(
            pool.submit(
                () -> {
                  started.countDown();
                  long moved = 0;
                  while (true) {
                    Reply reply =
                        BusyRetry.move(
                            client,
                            "/v1/transfers",
                            alice,
                            into ? transfer(shop, a, 1) : transfer(a, shop, 1));
                    if (reply.status() == 201) {
                      moved += into ? -1 : 1;
                      continue;
                    }
                    if (reply.status() == 422) {
                      continue; // the shop ran dry for a moment
                    }
                    assertProblem(reply, 409, "account-closed");
                    closedSeen.set(true);
                    return moved;
                  }
                }));
      }
      started.await(30, TimeUnit.SECONDS);
      Thread.sleep(200);
      Reply closed =
          other.post(
              "/v1/accounts/" + a + "/close",
              alice.token(),
              new JsonObject().put("sweepTo", savings));
      assertThat(closed.status()).as(closed.toString()).isEqualTo(200);
      long movedOut = 0;
      for (Future<Long> writer : writers) {
        movedOut += writer.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(closedSeen).isTrue();
      long swept =
          api.get("/v1/transfers/" + closed.json().getString("sweepTransferId"), alice.token())
              .json()
              .getLong("amount");
      // Nothing moved after the close: what the writers moved and the sweep account for it all.
      assertThat(movedOut + swept).isEqualTo(100_000);
      assertThat(api.account(alice, a).getLong("balance")).isZero();
      for (ApiClient client : clients) {
        assertProblem(
            client.move(
                "/v1/deposits",
                alice.token(),
                new JsonObject().put("accountId", a).put("amount", 1)),
            409,
            "account-closed");
        assertProblem(
            client.move("/v1/transfers", alice.token(), transfer(shop, a, 1)),
            409,
            "account-closed");
      }
    }
  }
}
