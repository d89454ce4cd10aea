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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Metadata on money POSTs, and GET /v1/transfers with its filters and pages. */
@ExtendWith(LedgerExtension.class)
class TransferSearchApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static List<String> ids(Caller caller, String query) {
    Reply reply = api.get("/v1/transfers" + query, caller.token());
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    reply.json().getJsonArray("data").forEach(t -> ids.add(((JsonObject) t).getString("id")));
    return ids;
  }

  private static JsonObject meta(String key, String value) {
    return new JsonObject().put(key, value);
  }

  @Test
  void metadataIsStoredReturnedWithTheTransferAndItsEntriesAndFiltered() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String a2 = api.openAccount(alice, "EUR");
    String b = api.openAccount(bob, "EUR");
    Reply deposit =
        api.move(
            "/v1/deposits",
            alice.token(),
            new JsonObject()
                .put("accountId", a)
                .put("amount", 1_000)
                .put("metadata", meta("source", "payroll")));
    assertThat(deposit.json().getJsonObject("metadata")).isEqualTo(meta("source", "payroll"));
    Instant between = Instant.now();
    String order1 =
        api.move(
                "/v1/transfers",
                alice.token(),
                transfer(a, b, 100).put("metadata", meta("order", "o-1").put("shop", "b")))
            .json()
            .getString("id");
    String order2 =
        api.move(
                "/v1/transfers",
                alice.token(),
                transfer(a, b, 50).put("metadata", meta("order", "o-2")))
            .json()
            .getString("id");
    String internal =
        api.move("/v1/transfers", alice.token(), transfer(a, a2, 10)).json().getString("id");
    String held = api.pending(alice, a, b, 5);
    String depositId = deposit.json().getString("id");

    // Newest first; a transfer between two of one's own accounts is listed once.
    assertThat(ids(alice, "")).containsExactly(held, internal, order2, order1, depositId);
    assertThat(ids(bob, "")).containsExactly(held, order2, order1);
    assertThat(ids(alice, "?account=" + a2)).containsExactly(internal);
    assertThat(ids(alice, "?kind=deposit")).containsExactly(depositId);
    assertThat(ids(alice, "?status=pending")).containsExactly(held);
    assertThat(ids(alice, "?from=" + enc(between.toString()) + "&kind=transfer"))
        .containsExactly(held, internal, order2, order1);
    assertThat(ids(alice, "?to=" + enc(between.toString()))).containsExactly(depositId);
    assertThat(ids(alice, "?" + enc("metadata[order]") + "=o-1")).containsExactly(order1);
    assertThat(ids(bob, "?" + enc("metadata[order]") + "=o-2&account=" + b))
        .containsExactly(order2);
    assertThat(ids(bob, "?" + enc("metadata[order]") + "=o-3")).isEmpty();

    // Pages: no gap, no duplicate.
    List<String> paged = new ArrayList<>();
    String cursor = null;
    do {
      Reply page =
          api.get(
              "/v1/transfers?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), alice.token());
      page.json().getJsonArray("data").forEach(t -> paged.add(((JsonObject) t).getString("id")));
      cursor = page.json().getString("nextCursor");
    } while (cursor != null);
    assertThat(paged).containsExactly(held, internal, order2, order1, depositId);

    // Entries carry their transfer's metadata.
    JsonArray bobsEntries =
        api.get("/v1/accounts/" + b + "/entries", bob.token()).json().getJsonArray("data");
    assertThat(bobsEntries.getJsonObject(1).getJsonObject("metadata"))
        .isEqualTo(meta("order", "o-2"));
    assertThat(bobsEntries.getJsonObject(0).getJsonObject("metadata")).isEqualTo(new JsonObject());
  }

  @Test
  void refusesBadFiltersAndStrangersAccounts() {
    Caller alice = api.newCaller();
    Caller mallory = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    api.deposit(alice, a, 10);
    for (String query :
        new String[] {
          "?from=yesterday",
          "?to=2026-01-01",
          "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
          "?kind=refund",
          "?status=done",
          "?account=nope",
          "?cursor=" + enc("bogus"),
          "?" + enc("metadata[a]") + "=1&" + enc("metadata[b]") + "=2",
          "?" + enc("metadata[]") + "=1",
          "?" + enc("metadata[k]") + "=" + "v".repeat(513),
        }) {
      Reply reply = api.get("/v1/transfers" + query, alice.token());
      assertThat(reply.status()).as(query + " " + reply).isEqualTo(400);
      assertThat(reply.code()).as(query).isIn("invalid-parameter");
    }
    assertProblem(api.get("/v1/transfers?account=" + a, mallory.token()), 404, "not-found");
    assertProblem(
        api.get("/v1/transfers?account=" + UUID.randomUUID(), alice.token()), 404, "not-found");
    assertThat(ids(mallory, "")).isEmpty();
  }

  @Test
  void metadataLimitsAreCheckedAndPartOfTheIdempotencyFingerprint() {
    Caller alice = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    JsonObject tooMany = new JsonObject();
    for (int i = 0; i < 17; i++) {
      tooMany.put("k" + i, "v");
    }
    // The schema validator's own text for this said "at least 16 properties" (issue 27, 9).
    Reply seventeen =
        api.move(
            "/v1/deposits",
            alice.token(),
            new JsonObject().put("accountId", a).put("amount", 1).put("metadata", tooMany));
    assertProblem(seventeen, 422, "validation");
    assertThat(seventeen.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("metadata");
    assertThat(seventeen.json().getJsonArray("errors").getJsonObject(0).getString("message"))
        .isEqualTo("must have at most 16 keys");
    // 300 characters of 2 bytes each: within the schema's 512 characters, past 512 bytes.
    String wide = "é".repeat(300);
    for (JsonObject metadata :
        new JsonObject[] {
          tooMany,
          meta("k", wide),
          meta(wide, "v"),
          new JsonObject().put("k", 1),
          new JsonObject().put("k", new JsonObject()),
          meta("k", "a\u0000b"),
        }) {
      Reply reply =
          api.move(
              "/v1/deposits",
              alice.token(),
              new JsonObject().put("accountId", a).put("amount", 1).put("metadata", metadata));
      assertProblem(reply, 422, "validation");
    }
    JsonObject body =
        new JsonObject().put("accountId", a).put("amount", 5).put("metadata", meta("k", "1"));
    assertThat(api.post("/v1/deposits", alice.token(), "meta-key", body).status()).isEqualTo(201);
    assertProblem(
        api.post(
            "/v1/deposits", alice.token(), "meta-key", body.copy().put("metadata", meta("k", "2"))),
        422,
        "idempotency-key-reused");
    assertThat(api.account(alice, a).getLong("balance")).isEqualTo(5);
  }
}
