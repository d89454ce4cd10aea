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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 29 over HTTP: transactions of many legs (with shares), balancing moves, version locks,
 * conditions and back-dating, as the contract says.
 */
@ExtendWith(LedgerExtension.class)
class TermsAndTransactionsApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  @Test
  void aTransactionSplitsItsAmountOverItsLegsAndIsReplayedByItsKey() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String wallet = api.openAccount(alice, "EUR");
    String shop = api.openAccount(bob, "EUR");
    String fees = api.openAccount(bob, "EUR");
    String tax = api.openAccount(bob, "EUR");
    api.deposit(alice, wallet, 10_000);
    JsonObject body =
        new JsonObject()
            .put("amount", 1_001)
            .put("description", "order 42")
            .put("metadata", new JsonObject().put("order", "42"))
            .put(
                "legs",
                new JsonArray()
                    .add(leg(wallet, tax).put("amount", 100))
                    .add(leg(wallet, fees).put("share", "33.3333%").put("description", "fee"))
                    .add(leg(wallet, shop).put("share", "rest")));
    String key = UUID.randomUUID().toString();
    Reply booked = api.post("/v1/transactions", alice.token(), key, body);
    assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
    JsonObject t = booked.json();
    // 901 left after the fixed 100: quotas 300.3297 and 600.6703; the unit left goes to the
    // larger fraction (.6703).
    JsonArray legs = t.getJsonArray("legs");
    assertThat(legs.getJsonObject(0).getLong("amount")).isEqualTo(100);
    assertThat(legs.getJsonObject(1).getLong("amount")).isEqualTo(300);
    assertThat(legs.getJsonObject(2).getLong("amount")).isEqualTo(601);
    assertThat(t.getLong("amount")).isEqualTo(1_001);
    for (int i = 0; i < 3; i++) {
      assertThat(legs.getJsonObject(i).getString("transactionId")).isEqualTo(t.getString("id"));
    }
    Reply again = api.post("/v1/transactions", alice.token(), key, body);
    assertThat(again.text()).isEqualTo(booked.text());
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(api.account(alice, wallet).getLong("balance")).isEqualTo(10_000 - 1_001);

    Reply read = api.get("/v1/transactions/" + t.getString("id"), alice.token());
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json()).isEqualTo(t);
    assertThat(api.get("/v1/transactions/" + t.getString("id"), bob.token()).status())
        .isEqualTo(404);
    Reply page = api.get("/v1/transactions?limit=10", alice.token());
    assertThat(page.json().getJsonArray("data").getJsonObject(0).getString("id"))
        .isEqualTo(t.getString("id"));
    // The payee sees its leg as a transfer naming the transaction.
    Reply bobsLeg = api.get("/v1/transfers/" + legs.getJsonObject(2).getString("id"), bob.token());
    assertThat(bobsLeg.json().getString("transactionId")).isEqualTo(t.getString("id"));
    Reply events = api.get("/v1/events?limit=20", alice.token());
    assertThat(events.text()).contains("transaction.created");
  }

  @Test
  void aRefusedLegRefusesTheTransactionAndNamesTheLeg() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String wallet = api.openAccount(alice, "EUR");
    String shop = api.openAccount(bob, "EUR");
    api.deposit(alice, wallet, 500);
    Reply refused =
        api.move(
            "/v1/transactions",
            alice.token(),
            new JsonObject()
                .put(
                    "legs",
                    new JsonArray()
                        .add(leg(wallet, shop).put("amount", 300))
                        .add(leg(wallet, shop).put("amount", 300))));
    assertProblem(refused, 422, "insufficient-funds");
    assertThat(refused.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("legs[1]");
    assertThat(api.account(alice, wallet).getLong("balance")).isEqualTo(500);
    assertThat(api.account(bob, shop).getLong("balance")).isZero();
    assertProblem(
        api.move(
            "/v1/transactions",
            alice.token(),
            new JsonObject()
                .put("amount", 10)
                .put(
                    "legs",
                    new JsonArray()
                        .add(leg(wallet, shop).put("share", "50%"))
                        .add(leg(wallet, shop).put("share", "40%")))),
        422,
        "validation");
    assertProblem(
        api.move(
            "/v1/transactions",
            alice.token(),
            new JsonObject().put("legs", new JsonArray().add(leg(wallet, shop).put("amount", 1)))),
        422,
        "validation");
  }

  @Test
  void balancingMovesTakeWhatIsAvailable() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String wallet = api.openAccount(alice, "EUR");
    String shop = api.openAccount(bob, "EUR");
    api.deposit(alice, wallet, 1_000);
    Reply upTo =
        api.move(
            "/v1/transfers",
            alice.token(),
            new JsonObject()
                .put("fromAccountId", wallet)
                .put("toAccountId", shop)
                .put("upTo", 600));
    assertThat(upTo.status()).as(upTo.toString()).isEqualTo(201);
    assertThat(upTo.json().getLong("amount")).isEqualTo(600);
    Reply sweep =
        api.move(
            "/v1/transfers",
            alice.token(),
            new JsonObject()
                .put("fromAccountId", wallet)
                .put("toAccountId", shop)
                .put("amount", "available"));
    assertThat(sweep.json().getLong("amount")).isEqualTo(400);
    assertProblem(
        api.move(
            "/v1/transfers",
            alice.token(),
            new JsonObject().put("fromAccountId", wallet).put("toAccountId", shop).put("upTo", 5)),
        422,
        "insufficient-funds");
    Reply out =
        api.move(
            "/v1/withdrawals",
            bob.token(),
            new JsonObject().put("accountId", shop).put("amount", "available"));
    assertThat(out.json().getLong("amount")).isEqualTo(1_000);
    assertProblem(
        api.move(
            "/v1/transfers",
            alice.token(),
            new JsonObject()
                .put("fromAccountId", wallet)
                .put("toAccountId", shop)
                .put("amount", 5)
                .put("upTo", 5)),
        422,
        "validation");
    assertProblem(
        api.move(
            "/v1/deposits",
            alice.token(),
            new JsonObject().put("accountId", wallet).put("amount", "available")),
        422,
        "validation");
  }

  @Test
  void versionLocksAndConditionsAreCheckedWhenTheMoveIsBooked() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String wallet = api.openAccount(alice, "EUR");
    String shop = api.openAccount(bob, "EUR");
    api.deposit(alice, wallet, 1_000);
    long version = api.account(alice, wallet).getLong("version");
    assertThat(version).isEqualTo(1);
    JsonObject cas =
        transfer(wallet, shop, 100).put("ifAccountVersion", new JsonObject().put(wallet, version));
    assertThat(api.move("/v1/transfers", alice.token(), cas).status()).isEqualTo(201);
    Reply stale = api.move("/v1/transfers", alice.token(), cas);
    assertProblem(stale, 409, "version-mismatch");
    assertThat(stale.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("ifAccountVersion." + wallet);
    assertThat(api.account(alice, wallet).getLong("version")).isEqualTo(version + 1);

    JsonObject floor =
        transfer(wallet, shop, 300)
            .put(
                "require",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("accountId", wallet)
                            .put("measure", "balance")
                            .put("gte", 400)));
    assertThat(api.move("/v1/transfers", alice.token(), floor).status()).isEqualTo(201);
    Reply broken = api.move("/v1/transfers", alice.token(), floor);
    assertProblem(broken, 422, "condition-failed");
    assertThat(broken.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("require[0]");
    assertThat(broken.json().getString("detail")).startsWith("require[0]: ");
    assertThat(api.account(alice, wallet).getLong("balance")).isEqualTo(600);
    // A condition on an account the move does not touch is a malformed request.
    assertProblem(
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(wallet, shop, 1)
                .put(
                    "require",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("accountId", UUID.randomUUID().toString())
                                .put("measure", "balance")
                                .put("gte", 0)))),
        422,
        "validation");
  }

  @Test
  void aBackDatedTransferCountsFromItsEffectiveTimeOnTheEffectiveBasis() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String wallet = api.openAccount(alice, "EUR");
    String shop = api.openAccount(bob, "EUR");
    api.deposit(alice, wallet, 1_000);
    Instant threeDaysAgo = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);
    Reply late =
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(wallet, shop, 250).put("effectiveAt", threeDaysAgo.toString()));
    assertThat(late.status()).as(late.toString()).isEqualTo(201);
    assertThat(Instant.parse(late.json().getString("effectiveAt"))).isEqualTo(threeDaysAgo);
    String twoDaysAgo =
        URLEncoder.encode(
            Instant.now().minus(2, ChronoUnit.DAYS).toString(), StandardCharsets.UTF_8);
    Reply booked = api.get("/v1/accounts/" + shop + "/balance?at=" + twoDaysAgo, bob.token());
    assertThat(booked.json().getLong("balance")).isZero();
    Reply effective =
        api.get(
            "/v1/accounts/" + shop + "/balance?at=" + twoDaysAgo + "&basis=effective", bob.token());
    assertThat(effective.status()).as(effective.toString()).isEqualTo(200);
    assertThat(effective.json().getLong("balance")).isEqualTo(250);
    assertProblem(
        api.get("/v1/accounts/" + shop + "/balance?basis=effective", bob.token()),
        400,
        "invalid-parameter");
    String csv = api.get("/v1/accounts/" + shop + "/entries.csv", bob.token()).text();
    assertThat(csv).startsWith("accountId,seq,").contains(",hash,effectiveAt\r\n");
    assertThat(csv.strip()).endsWith(threeDaysAgo.toString().replace("Z", "000Z"));
    assertProblem(
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(wallet, shop, 1)
                .put("effectiveAt", Instant.now().plus(1, ChronoUnit.HOURS).toString())),
        422,
        "validation");
    assertProblem(
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(wallet, shop, 1)
                .put("effectiveAt", Instant.now().minus(31, ChronoUnit.DAYS).toString())),
        422,
        "validation");
    assertProblem(
        api.move(
            "/v1/transfers",
            alice.token(),
            transfer(wallet, shop, 1)
                .put("pending", true)
                .put("effectiveAt", threeDaysAgo.toString())),
        422,
        "validation");
  }

  @Test
  void aConversionRoundsDownAndRecordsWhatItCutOff() {
    Caller alice = api.newCaller();
    String eur = api.openAccount(alice, "EUR");
    String usd = api.openAccount(alice, "USD");
    api.deposit(alice, eur, 5_000);
    JsonObject body =
        new JsonObject()
            .put("fromAccountId", eur)
            .put("toAccountId", usd)
            .put("amount", 1_001)
            .put("rate", "1.0834");
    String key = UUID.randomUUID().toString();
    Reply converted = api.post("/v1/conversions", alice.token(), key, body);
    assertThat(converted.status()).as(converted.toString()).isEqualTo(201);
    JsonObject c = converted.json().getJsonObject("conversion");
    assertThat(c.getLong("toAmount")).isEqualTo(1_084);
    assertThat(c.getString("roundedOff")).isEqualTo("0.4834");
    assertThat(converted.json().getLong("amount")).isEqualTo(1_001);
    JsonArray legs = converted.json().getJsonArray("legs");
    assertThat(legs.getJsonObject(0).getString("kind")).isEqualTo("withdrawal");
    assertThat(legs.getJsonObject(0).getValue("toAccountId"))
        .as("liquidity is never shown")
        .isNull();
    assertThat(legs.getJsonObject(1).getString("currency")).isEqualTo("USD");
    Reply again = api.post("/v1/conversions", alice.token(), key, body);
    assertThat(again.text()).isEqualTo(converted.text());
    assertThat(api.account(alice, eur).getLong("balance")).isEqualTo(5_000 - 1_001);
    assertThat(api.account(alice, usd).getLong("balance")).isEqualTo(1_084);
    assertProblem(
        api.move("/v1/conversions", alice.token(), body.copy().put("toAccountId", eur)),
        422,
        "same-account");
    assertProblem(
        api.move("/v1/conversions", alice.token(), body.copy().put("rate", "0.0001")),
        422,
        "validation");
    assertProblem(
        api.move("/v1/conversions", alice.token(), body.copy().put("rate", "abc")),
        422,
        "validation");
  }

  private static JsonObject leg(String from, String to) {
    return new JsonObject().put("fromAccountId", from).put("toAccountId", to);
  }
}
