package dev.coffer.api.account;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Opening, listing and reading accounts, and paging through their journals. */
class AccountsApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @Test
  void openAnswersTheAccountWithItsLocation() {
    Caller caller = api.newCaller();
    Reply reply =
        api.post(
            "/v1/accounts",
            caller.token(),
            new JsonObject()
                .put("currency", "EUR")
                .put("name", "Savings")
                .put("overdraftLimit", 500));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    JsonObject account = reply.json();
    assertThat(account.fieldNames())
        .containsExactlyInAnyOrder(
            "id",
            "name",
            "currency",
            "balance",
            "available",
            "pendingDebits",
            "pendingCredits",
            "overdraftLimit",
            "createdAt",
            "version",
            "metadata",
            "status",
            "closedAt");
    assertThat(account.getLong("version")).as("no entry yet").isZero();
    assertThat(account.getString("name")).isEqualTo("Savings");
    assertThat(account.getLong("balance")).isZero();
    assertThat(account.getLong("available")).isEqualTo(500);
    assertThat(account.getLong("overdraftLimit")).isEqualTo(500);
    assertThat(reply.header("Location")).isEqualTo("/v1/accounts/" + account.getString("id"));
    assertThat(reply.header("Consistency-Token")).matches("[0-9a-f]{16}");
    assertThat(api.account(caller, account.getString("id"))).isEqualTo(account);

    Reply unnamed =
        api.post("/v1/accounts", caller.token(), new JsonObject().put("currency", "JPY"));
    assertThat(unnamed.json().getValue("name")).isNull();
    assertThat(unnamed.json().getLong("overdraftLimit")).isZero();
  }

  @Test
  void openRefusesBadInput() {
    Caller caller = api.newCaller();
    JsonObject[] bad = {
      new JsonObject(),
      new JsonObject().put("currency", "eur"),
      new JsonObject().put("currency", "EURO"),
      new JsonObject().put("currency", "XYZ"),
      new JsonObject().put("currency", "EUR").put("overdraftLimit", -1),
      new JsonObject().put("currency", "EUR").put("overdraftLimit", 1.5),
      new JsonObject().put("currency", "EUR").put("name", "n".repeat(101)),
      new JsonObject().put("currency", "EUR").put("balance", 1_000_000),
    };
    for (JsonObject body : bad) {
      assertProblem(api.post("/v1/accounts", caller.token(), body), 422, "validation");
    }
    Reply list = api.get("/v1/accounts", caller.token());
    assertThat(list.json().getJsonArray("data")).isEmpty();
  }

  @Test
  void listPagesOldestFirstWithoutGapsOrDuplicates() {
    Caller caller = api.newCaller();
    List<String> opened = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      opened.add(api.openAccount(caller, "EUR"));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Reply page =
          api.get(
              "/v1/accounts?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), caller.token());
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      JsonArray data = page.json().getJsonArray("data");
      data.forEach(a -> seen.add(((JsonObject) a).getString("id")));
      cursor = page.json().getString("nextCursor");
      pages++;
      assertThat(data.size()).isLessThanOrEqualTo(2);
    } while (cursor != null);
    assertThat(seen).containsExactlyElementsOf(opened);
    assertThat(pages).isEqualTo(3);

    Reply all = api.get("/v1/accounts", caller.token());
    assertThat(all.json().getJsonArray("data")).hasSize(5);
    assertThat(all.json().getValue("nextCursor")).isNull();
  }

  @Test
  void anotherUsersAccountIsExactlyAsMissingAsAMissingOne() {
    Caller owner = api.newCaller();
    Caller stranger = api.newCaller();
    String account = api.openAccount(owner, "EUR");
    Reply foreign = api.get("/v1/accounts/" + account, stranger.token());
    Reply missing = api.get("/v1/accounts/" + UUID.randomUUID(), stranger.token());
    Reply garbage = api.get("/v1/accounts/not-a-uuid", stranger.token());
    assertProblem(foreign, 404, "not-found");
    assertThat(missing.text()).isEqualTo(foreign.text());
    assertThat(garbage.text()).isEqualTo(foreign.text());
    assertThat(api.get("/v1/accounts/" + account + "/entries", stranger.token()).text())
        .isEqualTo(
            api.get("/v1/accounts/" + UUID.randomUUID() + "/entries", stranger.token()).text());
  }

  @Test
  void entriesPageNewestFirstWithContiguousSeqs() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    for (int i = 1; i <= 7; i++) {
      api.deposit(caller, account, i * 100L);
    }
    List<Long> seqs = new ArrayList<>();
    String cursor = null;
    do {
      Reply page =
          api.get(
              "/v1/accounts/"
                  + account
                  + "/entries?limit=3"
                  + (cursor == null ? "" : "&cursor=" + cursor),
              caller.token());
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      for (Object e : page.json().getJsonArray("data")) {
        JsonObject entry = (JsonObject) e;
        seqs.add(entry.getLong("seq"));
        assertThat(entry.getString("kind")).isEqualTo("deposit");
        assertThat(entry.getString("status")).isEqualTo("posted");
        assertThat(entry.getLong("amount")).isEqualTo(entry.getLong("seq") * 100);
        assertThat(entry.getValue("counterpartyAccountId")).isNull();
        assertThat(entry.fieldNames())
            .containsExactlyInAnyOrder(
                "seq",
                "transferId",
                "kind",
                "amount",
                "balanceAfter",
                "counterpartyAccountId",
                "status",
                "description",
                "createdAt",
                "metadata",
                "reversalOf",
                "effectiveAt");
        assertThat(entry.getValue("reversalOf")).isNull();
        assertThat(entry.getValue("effectiveAt")).isNull();
      }
      cursor = page.json().getString("nextCursor");
      // New entries arriving between pages land ahead of the first page: no repeat, no gap.
      api.deposit(caller, account, 1);
    } while (cursor != null);
    assertThat(seqs).containsExactly(7L, 6L, 5L, 4L, 3L, 2L, 1L);
    JsonObject newest =
        api.get("/v1/accounts/" + account + "/entries?limit=1", caller.token())
            .json()
            .getJsonArray("data")
            .getJsonObject(0);
    assertThat(newest.getLong("balanceAfter"))
        .isEqualTo(api.account(caller, account).getLong("balance"));
  }

  @Test
  void aCursorFromAnotherListIsRefused() {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    api.openAccount(caller, "EUR");
    api.deposit(caller, account, 1);
    api.deposit(caller, account, 2);
    String accountsCursor =
        api.get("/v1/accounts?limit=1", caller.token()).json().getString("nextCursor");
    assertProblem(
        api.get("/v1/accounts/" + account + "/entries?cursor=" + accountsCursor, caller.token()),
        400,
        "invalid-parameter");
  }
}
