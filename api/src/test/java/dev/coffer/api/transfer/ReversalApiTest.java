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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /v1/transfers/{id}/reverse: refunds by the payee, idempotent, never past the original. */
@ExtendWith(LedgerExtension.class)
class ReversalApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  private static String pay(Caller payer, String from, String to, long amount) {
    Reply paid = api.move("/v1/transfers", payer.token(), transfer(from, to, amount));
    assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
    return paid.json().getString("id");
  }

  private static Reply reverse(Caller caller, String id, JsonObject body) {
    return api.move("/v1/transfers/" + id + "/reverse", caller.token(), body);
  }

  @Test
  void thePayeeRefundsPartThenTheRest() {
    Caller alice = api.newCaller();
    Caller shop = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String s = api.openAccount(shop, "EUR");
    api.deposit(alice, a, 1_000);
    String paid = pay(alice, a, s, 600);

    Reply part =
        reverse(
            shop,
            paid,
            new JsonObject()
                .put("amount", 200)
                .put("description", "one item back")
                .put("metadata", new JsonObject().put("rma", "R-1")));
    assertThat(part.status()).as(part.toString()).isEqualTo(201);
    JsonObject refund = part.json();
    assertThat(refund.getString("reversalOf")).isEqualTo(paid);
    assertThat(refund.getString("fromAccountId")).isEqualTo(s);
    assertThat(refund.getString("toAccountId")).isEqualTo(a);
    assertThat(refund.getLong("amount")).isEqualTo(200);
    assertThat(refund.getString("kind")).isEqualTo("transfer");
    assertThat(refund.getString("status")).isEqualTo("posted");
    assertThat(refund.getJsonObject("metadata").getMap()).isEqualTo(Map.of("rma", "R-1"));
    assertThat(api.get("/v1/transfers/" + paid, alice.token()).json().getLong("reversedAmount"))
        .isEqualTo(200);

    // No body: all that is left.
    Reply rest =
        api.send(
            HttpMethod.POST,
            "/v1/transfers/" + paid + "/reverse",
            Map.of("Authorization", "Bearer " + shop.token(), "Idempotency-Key", "rest-" + paid),
            null);
    assertThat(rest.status()).as(rest.toString()).isEqualTo(201);
    assertThat(rest.json().getLong("amount")).isEqualTo(400);
    assertThat(api.account(alice, a).getLong("balance")).isEqualTo(1_000);
    assertThat(api.account(shop, s).getLong("balance")).isZero();
    // The refund shows in the payer's journal, linked by its transfer id.
    JsonObject entry =
        api.get("/v1/accounts/" + a + "/entries?limit=1", alice.token())
            .json()
            .getJsonArray("data")
            .getJsonObject(0);
    assertThat(entry.getString("transferId")).isEqualTo(rest.json().getString("id"));
    assertThat(entry.getLong("amount")).isEqualTo(400);
    // ... and names what it reverses (the dashboard shows it as a reversal by this).
    assertThat(entry.getString("reversalOf")).isEqualTo(paid);

    assertProblem(reverse(shop, paid, new JsonObject()), 422, "reversal-exceeds-transfer");
  }

  @Test
  void refusalsSayWhy() {
    Caller alice = api.newCaller();
    Caller shop = api.newCaller();
    Caller mallory = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String s = api.openAccount(shop, "EUR");
    JsonObject deposit = api.deposit(alice, a, 1_000);
    String paid = pay(alice, a, s, 100);

    Reply byPayer = reverse(alice, paid, new JsonObject());
    assertProblem(byPayer, 409, "transfer-not-reversible");
    assertThat(byPayer.json().getString("reason")).isEqualTo("not-destination-owner");
    assertProblem(reverse(mallory, paid, new JsonObject()), 404, "not-found");
    assertProblem(reverse(shop, UUID.randomUUID().toString(), new JsonObject()), 404, "not-found");
    assertProblem(reverse(shop, "not-a-uuid", new JsonObject()), 404, "not-found");

    String held = api.pending(alice, a, s, 50);
    Reply pending = reverse(shop, held, new JsonObject());
    assertProblem(pending, 409, "transfer-not-reversible");
    assertThat(pending.json().getString("reason")).isEqualTo("not-posted");
    Reply ofDeposit = reverse(alice, deposit.getString("id"), new JsonObject());
    assertProblem(ofDeposit, 409, "transfer-not-reversible");
    assertThat(ofDeposit.json().getString("reason")).isEqualTo("not-reversible-kind");

    assertProblem(
        reverse(shop, paid, new JsonObject().put("amount", 101)), 422, "reversal-exceeds-transfer");
    assertProblem(reverse(shop, paid, new JsonObject().put("amount", 0)), 422, "validation");
    assertProblem(reverse(shop, paid, new JsonObject().put("to", a)), 422, "validation");
    assertProblem(
        api.post("/v1/transfers/" + paid + "/reverse", shop.token(), new JsonObject()),
        400,
        "idempotency-key-required");
    // The payee spent it: nothing to give back with.
    api.move(
        "/v1/withdrawals", shop.token(), new JsonObject().put("accountId", s).put("amount", 95));
    assertProblem(
        reverse(shop, paid, new JsonObject().put("amount", 10)), 422, "insufficient-funds");
    assertThat(api.get("/v1/transfers/" + paid, alice.token()).json().getLong("reversedAmount"))
        .isZero();
  }

  @Test
  void aReplayAnswersTheSameRefundAndMovesNothing() {
    Caller alice = api.newCaller();
    Caller shop = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String s = api.openAccount(shop, "EUR");
    api.deposit(alice, a, 1_000);
    String paid = pay(alice, a, s, 300);
    String path = "/v1/transfers/" + paid + "/reverse";
    JsonObject body = new JsonObject().put("amount", 100);

    Reply first = api.post(path, shop.token(), "refund-1", body);
    Reply again = api.post(path, shop.token(), "refund-1", body);
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(api.account(shop, s).getLong("balance")).isEqualTo(200);
    assertProblem(
        api.post(path, shop.token(), "refund-1", new JsonObject().put("amount", 50)),
        422,
        "idempotency-key-reused");
    assertProblem(
        api.post(
            path,
            shop.token(),
            "refund-1",
            body.copy().put("metadata", new JsonObject().put("k", "v"))),
        422,
        "idempotency-key-reused");
  }
}
