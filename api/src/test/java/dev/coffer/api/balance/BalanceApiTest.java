package dev.coffer.api.balance;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /v1/accounts/{id}/balance: now, as of a time, after an entry. */
@ExtendWith(LedgerExtension.class)
class BalanceApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  private static Reply balance(Caller caller, String account, String query) {
    return api.get("/v1/accounts/" + account + "/balance" + query, caller.token());
  }

  private static String at(String time) {
    return "?at=" + URLEncoder.encode(time, StandardCharsets.UTF_8);
  }

  @Test
  void answersNowAfterAnEntryAndAsOfATime() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String b = api.openAccount(bob, "EUR");
    api.deposit(alice, a, 1_000);
    api.pending(alice, a, b, 300);
    api.move("/v1/transfers", alice.token(), transfer(a, b, 100));

    Reply now = balance(alice, a, "");
    assertThat(now.status()).as(now.toString()).isEqualTo(200);
    assertThat(now.json().fieldNames())
        .containsExactlyInAnyOrder(
            "accountId",
            "currency",
            "seq",
            "balance",
            "pendingDebits",
            "pendingCredits",
            "available",
            "bookedAt");
    assertThat(now.json().getLong("seq")).isEqualTo(3);
    assertThat(now.json().getLong("balance")).isEqualTo(900);
    assertThat(now.json().getLong("pendingDebits")).isEqualTo(300);
    assertThat(now.json().getLong("available")).isEqualTo(600);

    JsonObject afterDeposit = balance(alice, a, "?seq=1").json();
    assertThat(afterDeposit.getLong("balance")).isEqualTo(1_000);
    assertThat(afterDeposit.getLong("pendingDebits")).isZero();
    JsonObject afterHold = balance(alice, a, "?seq=2").json();
    assertThat(afterHold.getLong("pendingDebits")).isEqualTo(300);
    assertThat(afterHold.getLong("available")).isEqualTo(700);
    JsonObject before = balance(alice, a, "?seq=0").json();
    assertThat(before.getLong("balance")).isZero();
    assertThat(before.getValue("bookedAt")).isNull();
    assertThat(balance(bob, b, "?seq=1").json().getLong("pendingCredits")).isEqualTo(300);

    // A time read back from the API (milliseconds) names its whole millisecond.
    JsonArray entries =
        api.get("/v1/accounts/" + a + "/entries", alice.token()).json().getJsonArray("data");
    String secondEntry = entries.getJsonObject(1).getString("createdAt");
    assertThat(balance(alice, a, at(afterHold.getString("bookedAt"))).json()).isEqualTo(afterHold);
    assertThat(balance(alice, a, at(secondEntry)).json().getLong("seq")).isGreaterThanOrEqualTo(2);
    // Offsets other than Z are RFC 3339 too.
    Reply offset = balance(alice, a, at("2020-01-01T01:00:00+01:00"));
    assertThat(offset.json().getLong("seq")).as(offset.toString()).isZero();
    assertThat(balance(alice, a, at(Instant.now().toString())).json()).isEqualTo(now.json());
  }

  @Test
  void refusesWhatItCannotAnswer() {
    Caller alice = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    api.deposit(alice, a, 10);
    for (String query :
        new String[] {
          at("yesterday"),
          at("2026-11-22T10:15:30"), // no offset
          at(Instant.now().plus(1, ChronoUnit.HOURS).toString()),
          "?seq=-1",
          "?seq=1e2",
          "?seq=1&" + at("2020-01-01T00:00:00Z").substring(1)
        }) {
      assertProblem(balance(alice, a, query), 400, "invalid-parameter");
    }
    assertProblem(balance(alice, a, "?seq=2"), 404, "not-found");
    assertProblem(balance(alice, a + "x", ""), 404, "not-found");
  }

  @Test
  void aStrangerGetsNotFoundByEveryForm() {
    Caller alice = api.newCaller();
    Caller mallory = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    api.deposit(alice, a, 10);
    for (String query : new String[] {"", "?seq=0", "?seq=1", at("2020-01-01T00:00:00Z")}) {
      assertProblem(balance(mallory, a, query), 404, "not-found");
    }
  }
}
