package dev.coffer.api.transfer;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deposits, withdrawals, transfers (posted and pending), post, void, batches, over HTTP. */
@ExtendWith(LedgerExtension.class)
class MoneyApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  @Test
  void depositAndWithdrawalMoveTheBalance() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    Reply deposit =
        api.move(
            "/v1/deposits",
            caller.token(),
            new JsonObject()
                .put("accountId", account)
                .put("amount", 10_000)
                .put("description", "pay day"));
    assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
    JsonObject transfer = deposit.json();
    assertThat(transfer.fieldNames())
        .containsExactlyInAnyOrder(
            "id",
            "kind",
            "fromAccountId",
            "toAccountId",
            "amount",
            "currency",
            "status",
            "description",
            "createdAt",
            "postedAt",
            "expiresAt",
            "reversalOf",
            "reversedAmount",
            "capturedAmount",
            "metadata",
            "effectiveAt",
            "transactionId");
    assertThat(transfer.getString("kind")).isEqualTo("deposit");
    assertThat(transfer.getString("status")).isEqualTo("posted");
    assertThat(transfer.getValue("fromAccountId")).isNull();
    assertThat(transfer.getString("toAccountId")).isEqualTo(account);
    assertThat(transfer.getString("currency")).isEqualTo("EUR");
    assertThat(transfer.getString("description")).isEqualTo("pay day");
    assertThat(deposit.header("Consistency-Token")).matches("[0-9a-f]{16}");

    Reply withdrawal =
        api.move(
            "/v1/withdrawals",
            caller.token(),
            new JsonObject().put("accountId", account).put("amount", 2_500));
    assertThat(withdrawal.status()).as(withdrawal.toString()).isEqualTo(201);
    assertThat(withdrawal.json().getValue("toAccountId")).isNull();
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(7_500);

    assertProblem(
        api.move(
            "/v1/withdrawals",
            caller.token(),
            new JsonObject().put("accountId", account).put("amount", 7_501)),
        422,
        "insufficient-funds");
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(7_500);
  }

  @Test
  void amountsAreIntegersFromOneToTenToTheFifteenth() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    Object[] bad = {0, -5, 1_000_000_000_000_001L, 1.5, 100.0, "100", null};
    for (Object amount : bad) {
      Reply reply =
          api.move(
              "/v1/deposits",
              caller.token(),
              new JsonObject().put("accountId", account).put("amount", amount));
      assertProblem(reply, 422, "validation");
    }
    assertThat(
            api.move(
                    "/v1/deposits",
                    caller.token(),
                    new JsonObject()
                        .put("accountId", account)
                        .put("amount", 1_000_000_000_000_000L))
                .status())
        .isEqualTo(201);
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(1_000_000_000_000_000L);
  }

  @Test
  void aTransferPaysAnotherUserAndRefusesWhatTheRulesForbid() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String aliceEur = api.openAccount(alice, "EUR");
    String aliceUsd = api.openAccount(alice, "USD");
    String bobEur = api.openAccount(bob, "EUR");
    api.deposit(alice, aliceEur, 5_000);

    Reply paid =
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(aliceEur, bobEur, 1_200).put("description", "lunch"));
    assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
    assertThat(paid.json().getString("status")).isEqualTo("posted");
    assertThat(paid.json().getString("postedAt")).isNotNull();
    assertThat(api.account(alice, aliceEur).getLong("balance")).isEqualTo(3_800);
    assertThat(api.account(bob, bobEur).getLong("balance")).isEqualTo(1_200);

    JsonObject bobsEntry =
        api.get("/v1/accounts/" + bobEur + "/entries", bob.token())
            .json()
            .getJsonArray("data")
            .getJsonObject(0);
    assertThat(bobsEntry.getString("counterpartyAccountId")).isEqualTo(aliceEur);
    assertThat(bobsEntry.getLong("amount")).isEqualTo(1_200);
    assertThat(bobsEntry.getString("description")).isEqualTo("lunch");

    assertProblem(
        api.move("/v1/transfers", alice.token(), transfer(aliceEur, bobEur, 3_801)),
        422,
        "insufficient-funds");
    assertProblem(
        api.move("/v1/transfers", alice.token(), transfer(aliceEur, aliceUsd, 1)),
        422,
        "currency-mismatch");
    assertProblem(
        api.move("/v1/transfers", alice.token(), transfer(aliceEur, aliceEur, 1)),
        422,
        "same-account");
    assertProblem(
        api.move(
            "/v1/transfers", alice.token(), transfer(aliceEur, UUID.randomUUID().toString(), 1)),
        404,
        "not-found");
    // Bob may not spend from Alice's account.
    assertProblem(
        api.move("/v1/transfers", bob.token(), transfer(aliceEur, bobEur, 1)), 404, "not-found");
    assertThat(api.account(alice, aliceEur).getLong("balance")).isEqualTo(3_800);

    Reply seenByBob = api.get("/v1/transfers/" + paid.json().getString("id"), bob.token());
    assertThat(seenByBob.status()).isEqualTo(200);
    assertThat(seenByBob.json()).isEqualTo(paid.json());
  }

  @Test
  void aHoldIsCapturedInPartsAndARetryCapturesOnce() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String from = api.openAccount(alice, "EUR");
    String to = api.openAccount(bob, "EUR");
    api.deposit(alice, from, 1_000);
    String hold = api.pending(alice, from, to, 500);
    String capture = "/v1/transfers/" + hold + "/post";

    String key = UUID.randomUUID().toString();
    JsonObject part = new JsonObject().put("amount", 200).put("final", false);
    Reply first = api.post(capture, alice.token(), key, part);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.json().getString("status")).isEqualTo("pending");
    assertThat(first.json().getLong("capturedAmount")).isEqualTo(200);
    // The same key again: the first answer, byte for byte, and nothing moves twice.
    Reply again = api.post(capture, alice.token(), key, part);
    assertThat(again.text()).isEqualTo(first.text());
    assertThat(api.account(bob, to).getLong("balance")).isEqualTo(200);
    assertThat(api.account(alice, from).getLong("pendingDebits")).isEqualTo(300);

    assertProblem(
        api.move(capture, alice.token(), new JsonObject().put("amount", 301)),
        422,
        "capture-exceeds-hold");
    assertProblem(
        api.move(capture, alice.token(), new JsonObject().put("amount", 0)), 422, "validation");

    Reply last = api.move(capture, alice.token(), new JsonObject().put("amount", 100));
    assertThat(last.status()).as(last.toString()).isEqualTo(200);
    assertThat(last.json().getString("status")).isEqualTo("posted");
    assertThat(last.json().getLong("capturedAmount")).isEqualTo(300);
    assertThat(api.account(alice, from).getLong("balance")).isEqualTo(700);
    assertThat(api.account(alice, from).getLong("pendingDebits")).isZero();
    assertThat(api.account(bob, to).getLong("balance")).isEqualTo(300);
    // Refunds reach what moved, not the hold.
    assertProblem(
        api.move(
            "/v1/transfers/" + hold + "/reverse", bob.token(), new JsonObject().put("amount", 301)),
        422,
        "reversal-exceeds-transfer");
  }

  @Test
  void aPendingTransferReservesThenPostsOrVoids() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String from = api.openAccount(alice, "EUR");
    String to = api.openAccount(bob, "EUR");
    api.deposit(alice, from, 1_000);

    Reply pending =
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(from, to, 300).put("pending", true).put("expiresInSeconds", 3600));
    assertThat(pending.status()).as(pending.toString()).isEqualTo(201);
    assertThat(pending.json().getString("status")).isEqualTo("pending");
    assertThat(pending.json().getValue("postedAt")).isNull();
    Instant expires = Instant.parse(pending.json().getString("expiresAt"));
    assertThat(Duration.between(Instant.now(), expires))
        .isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
    JsonObject reserved = api.account(alice, from);
    assertThat(reserved.getLong("balance")).isEqualTo(1_000);
    assertThat(reserved.getLong("pendingDebits")).isEqualTo(300);
    assertThat(reserved.getLong("available")).isEqualTo(700);
    assertThat(api.account(bob, to).getLong("pendingCredits")).isEqualTo(300);
    String id = pending.json().getString("id");

    // Only the source account's owner may settle it.
    Reply byPayee = api.move("/v1/transfers/" + id + "/post", bob.token(), null);
    assertProblem(byPayee, 409, "transfer-not-pending");
    assertThat(byPayee.json().getString("reason")).isEqualTo("not-source-owner");
    Reply posted = api.move("/v1/transfers/" + id + "/post", alice.token(), null);
    assertThat(posted.status()).as(posted.toString()).isEqualTo(200);
    assertThat(posted.json().getString("status")).isEqualTo("posted");
    assertThat(api.account(alice, from).getLong("balance")).isEqualTo(700);
    assertThat(api.account(bob, to).getLong("balance")).isEqualTo(300);
    Reply voidPosted = api.move("/v1/transfers/" + id + "/void", alice.token(), null);
    assertProblem(voidPosted, 409, "transfer-not-pending");
    assertThat(voidPosted.json().getString("reason")).isEqualTo("already-posted");
    // Refused for two reasons, the transfer's state comes first: no one can settle it any more
    // (issue 27, finding 10).
    Reply voidByPayee = api.move("/v1/transfers/" + id + "/void", bob.token(), null);
    assertProblem(voidByPayee, 409, "transfer-not-pending");
    assertThat(voidByPayee.json().getString("reason")).isEqualTo("already-posted");

    // A voided reservation gives the money back, and the journal says so.
    String voidable = api.pending(alice, from, to, 200);
    Reply voided = api.move("/v1/transfers/" + voidable + "/void", alice.token(), null);
    assertThat(voided.json().getString("status")).isEqualTo("voided");
    assertThat(api.account(alice, from).getLong("available")).isEqualTo(700);
    JsonArray entries =
        api.get("/v1/accounts/" + from + "/entries?limit=2", alice.token())
            .json()
            .getJsonArray("data");
    assertThat(entries.getJsonObject(0).getString("status")).isEqualTo("voided");
    assertThat(entries.getJsonObject(1).getString("status")).isEqualTo("pending");
    assertThat(entries.getJsonObject(1).getLong("balanceAfter")).isEqualTo(700);

    assertProblem(
        api.move("/v1/transfers/" + UUID.randomUUID() + "/post", alice.token(), null),
        404,
        "not-found");
  }

  @Test
  void expiresInSecondsIsForPendingTransfersOnly() {
    Caller alice = api.newCaller();
    String from = api.openAccount(alice, "EUR");
    String to = api.openAccount(alice, "EUR");
    api.deposit(alice, from, 100);
    assertProblem(
        api.move("/v1/transfers", alice.token(), transfer(from, to, 1).put("expiresInSeconds", 60)),
        422,
        "validation");
    for (long seconds : new long[] {0, 604_801}) {
      assertProblem(
          api.move(
              "/v1/transfers",
              alice.token(),
              transfer(from, to, 1).put("pending", true).put("expiresInSeconds", seconds)),
          422,
          "validation");
    }
    Reply byDefault =
        api.move("/v1/transfers", alice.token(), transfer(from, to, 1).put("pending", true));
    Instant expires = Instant.parse(byDefault.json().getString("expiresAt"));
    assertThat(Duration.between(Instant.now(), expires))
        .isBetween(Duration.ofHours(23), Duration.ofHours(25));
  }

  @Test
  void aBatchAppliesAllOrNothing() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String from = api.openAccount(alice, "EUR");
    String to = api.openAccount(bob, "EUR");
    api.deposit(alice, from, 1_000);

    Reply failed =
        api.move(
            "/v1/transfers:batch",
            alice.token(),
            new JsonObject()
                .put(
                    "transfers",
                    new JsonArray()
                        .add(transfer(from, to, 400))
                        .add(transfer(from, to, 400))
                        .add(transfer(from, to, 400))));
    assertProblem(failed, 422, "insufficient-funds");
    JsonObject error = failed.json().getJsonArray("errors").getJsonObject(0);
    // A ledger refusal and an invalid body name their item in one shape.
    assertThat(error.getInteger("index")).isEqualTo(2);
    assertThat(error.getString("field")).isEqualTo("transfers[2]");
    assertThat(error.getString("code")).isEqualTo("insufficient-funds");
    assertThat(failed.json().getString("detail")).startsWith("transfer 2: ");
    assertThat(api.account(alice, from).getLong("balance")).isEqualTo(1_000);

    Reply badItem =
        api.move(
            "/v1/transfers:batch",
            alice.token(),
            new JsonObject()
                .put(
                    "transfers",
                    new JsonArray()
                        .add(transfer(from, to, 1))
                        .add(transfer(from, to, 1).put("expiresInSeconds", 5))));
    assertProblem(badItem, 422, "validation");
    JsonObject badField = badItem.json().getJsonArray("errors").getJsonObject(0);
    assertThat(badField.getInteger("index")).isEqualTo(1);
    assertThat(badField.getString("field")).isEqualTo("transfers[1].expiresInSeconds");
    assertThat(badField.getString("code")).isEqualTo("validation");
    assertThat(badItem.json().getString("detail")).startsWith("transfer 1: ");

    JsonArray many = new JsonArray();
    for (int i = 0; i < 101; i++) {
      many.add(transfer(from, to, 1));
    }
    assertProblem(
        api.move("/v1/transfers:batch", alice.token(), new JsonObject().put("transfers", many)),
        422,
        "validation");
    assertProblem(
        api.move(
            "/v1/transfers:batch",
            alice.token(),
            new JsonObject().put("transfers", new JsonArray())),
        422,
        "validation");

    Reply applied =
        api.move(
            "/v1/transfers:batch",
            alice.token(),
            new JsonObject()
                .put(
                    "transfers",
                    new JsonArray()
                        .add(transfer(from, to, 100))
                        .add(transfer(from, to, 200).put("pending", true))));
    assertThat(applied.status()).as(applied.toString()).isEqualTo(201);
    JsonArray data = applied.json().getJsonArray("data");
    assertThat(data).hasSize(2);
    assertThat(data.getJsonObject(0).getString("status")).isEqualTo("posted");
    assertThat(data.getJsonObject(1).getString("status")).isEqualTo("pending");
    JsonObject after = api.account(alice, from);
    assertThat(after.getLong("balance")).isEqualTo(900);
    assertThat(after.getLong("available")).isEqualTo(700);
  }

  @Test
  void concurrentPaymentsSentTwiceEachLandExactlyOnce() throws Exception {
    int users = 4;
    List<Caller> callers = new ArrayList<>();
    List<String> accounts = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      Caller caller = api.newCaller();
      callers.add(caller);
      String account = api.openAccount(caller, "EUR");
      accounts.add(account);
      api.deposit(caller, account, 1_000);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicLongArray expected = new AtomicLongArray(users);
    for (int i = 0; i < users; i++) {
      expected.set(i, 1_000);
    }
    try {
      List<Callable<Void>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        work.add(
            () -> {
              Random random = new Random(seed);
              for (int n = 0; n < 40; n++) {
                int from = random.nextInt(users);
                int to = (from + 1 + random.nextInt(users - 1)) % users;
                long amount = 1 + random.nextInt(60);
                String key = UUID.randomUUID().toString();
                JsonObject body = transfer(accounts.get(from), accounts.get(to), amount);
                // Every request is sent twice, as a client would retry after a lost answer.
                Reply first = api.post("/v1/transfers", callers.get(from).token(), key, body);
                Reply retry = api.post("/v1/transfers", callers.get(from).token(), key, body);
                if (first.status() == 201) {
                  expected.addAndGet(from, -amount);
                  expected.addAndGet(to, amount);
                  assertThat(retry.body().getBytes()).isEqualTo(first.body().getBytes());
                } else {
                  assertThat(first.code()).isEqualTo("insufficient-funds");
                }
              }
              return null;
            });
      }
      for (var f : pool.invokeAll(work)) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long total = 0;
    for (int i = 0; i < users; i++) {
      long balance = api.account(callers.get(i), accounts.get(i)).getLong("balance");
      assertThat(balance).as("account %d", i).isEqualTo(expected.get(i)).isNotNegative();
      total += balance;
    }
    assertThat(total).isEqualTo(users * 1_000L);
  }
}
