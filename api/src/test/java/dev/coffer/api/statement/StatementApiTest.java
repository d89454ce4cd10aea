package dev.coffer.api.statement;

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
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /v1/accounts/{id}/statement and statement.csv (issue 30). */
@ExtendWith(LedgerExtension.class)
class StatementApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  private static String range(Instant from, Instant to) {
    return "?from="
        + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8)
        + "&to="
        + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8);
  }

  private static Instant pause() throws InterruptedException {
    Thread.sleep(30);
    Instant now = Instant.now();
    Thread.sleep(30);
    return now;
  }

  // Every page of the statement, two entries a page: the summary of the first, all the entries.
  private static JsonObject whole(Caller caller, String account, String range) {
    JsonObject first = null;
    JsonArray all = new JsonArray();
    String cursor = null;
    do {
      Reply page =
          api.get(
              "/v1/accounts/"
                  + account
                  + "/statement"
                  + range
                  + "&limit=2"
                  + (cursor == null ? "" : "&cursor=" + cursor),
              caller.token());
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      if (first == null) {
        first = page.json();
      } else {
        // Every page carries the same summary.
        assertThat(page.json().getString("digest")).isEqualTo(first.getString("digest"));
      }
      all.addAll(page.json().getJsonArray("data"));
      cursor = page.json().getString("nextCursor");
    } while (cursor != null);
    return first.copy().put("data", all);
  }

  private static void assertTotalsAreItsEntries(JsonObject statement) {
    long in = 0;
    long out = 0;
    long credits = 0;
    long debits = 0;
    long balance = statement.getJsonObject("opening").getLong("balance");
    long seq = statement.getJsonObject("opening").getLong("seq");
    for (Object o : statement.getJsonArray("data")) {
      JsonObject entry = (JsonObject) o;
      long change = entry.getLong("balanceChange");
      assertThat(entry.getLong("seq")).isEqualTo(++seq);
      assertThat(entry.getLong("balanceAfter")).isEqualTo(balance + change);
      balance += change;
      if (change > 0) {
        in += change;
        credits++;
      } else if (change < 0) {
        out -= change;
        debits++;
      }
    }
    assertThat(statement.getLong("totalIn")).isEqualTo(in);
    assertThat(statement.getLong("totalOut")).isEqualTo(out);
    assertThat(statement.getLong("creditCount")).isEqualTo(credits);
    assertThat(statement.getLong("debitCount")).isEqualTo(debits);
    assertThat(statement.getLong("entryCount")).isEqualTo(statement.getJsonArray("data").size());
    assertThat(statement.getJsonObject("closing").getLong("seq")).isEqualTo(seq);
    assertThat(statement.getJsonObject("closing").getLong("balance")).isEqualTo(balance);
  }

  private static String digestOf(JsonObject s) throws Exception {
    JsonObject o = s.getJsonObject("opening");
    JsonObject c = s.getJsonObject("closing");
    String text =
        "coffer-statement-v1\n"
            + String.join(
                "",
                List.of(
                    "accountId=" + s.getString("accountId") + "\n",
                    "currency=" + s.getString("currency") + "\n",
                    "from=" + s.getString("from") + "\n",
                    "to=" + s.getString("to") + "\n",
                    "openingSeq=" + o.getLong("seq") + "\n",
                    "openingBalance=" + o.getLong("balance") + "\n",
                    "openingHash=" + o.getString("hash") + "\n",
                    "closingSeq=" + c.getLong("seq") + "\n",
                    "closingBalance=" + c.getLong("balance") + "\n",
                    "closingHash=" + c.getString("hash") + "\n",
                    "totalIn=" + s.getLong("totalIn") + "\n",
                    "totalOut=" + s.getLong("totalOut") + "\n",
                    "entryCount=" + s.getLong("entryCount") + "\n",
                    "creditCount=" + s.getLong("creditCount") + "\n",
                    "debitCount=" + s.getLong("debitCount") + "\n"));
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void totalsAreTheSumOfTheEntriesConsecutiveStatementsChainAndTheSameRangeGivesTheSameBytes()
      throws Exception {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String b = api.openAccount(bob, "EUR");
    api.deposit(bob, b, 50_000);
    Instant t0 = pause();
    api.deposit(alice, a, 10_000);
    api.move("/v1/transfers", alice.token(), transfer(a, b, 1_500));
    api.move("/v1/transfers", bob.token(), transfer(b, a, 700));
    String held = api.pending(alice, a, b, 2_000);
    api.move("/v1/transfers/" + held + "/void", alice.token(), null);
    Instant t1 = pause();
    String captured = api.pending(alice, a, b, 3_000);
    api.move(
        "/v1/transfers/" + captured + "/post",
        alice.token(),
        new JsonObject().put("amount", 1_000));
    api.move(
        "/v1/withdrawals", alice.token(), new JsonObject().put("accountId", a).put("amount", 200));
    api.move("/v1/transfers", bob.token(), transfer(b, a, 33).put("description", "=SUM(A1)"));
    Instant t2 = pause();

    JsonObject first = whole(alice, a, range(t0, t1));
    JsonObject second = whole(alice, a, range(t1, t2));
    assertThat(first.getJsonObject("opening").getLong("balance")).isZero();
    assertThat(first.getJsonObject("opening").getString("hash")).isEqualTo("0".repeat(64));
    assertTotalsAreItsEntries(first);
    assertTotalsAreItsEntries(second);
    assertThat(first.getLong("totalIn")).isEqualTo(10_700);
    assertThat(first.getLong("totalOut")).isEqualTo(1_500);
    assertThat(first.getLong("entryCount")).isEqualTo(5); // deposit, out, in, hold, void
    assertThat(second.getJsonObject("opening")).isEqualTo(first.getJsonObject("closing"));
    assertThat(second.getLong("totalOut")).isEqualTo(1_200);
    assertThat(second.getLong("totalIn")).isEqualTo(33);
    // The closing balance is the balance as of the end, and the whole range is both together.
    long asOf =
        api.get(
                "/v1/accounts/"
                    + a
                    + "/balance?at="
                    + URLEncoder.encode(t2.toString(), StandardCharsets.UTF_8),
                alice.token())
            .json()
            .getLong("balance");
    assertThat(second.getJsonObject("closing").getLong("balance")).isEqualTo(asOf);
    JsonObject both = whole(alice, a, range(t0, t2));
    assertThat(both.getLong("totalIn"))
        .isEqualTo(first.getLong("totalIn") + second.getLong("totalIn"));
    assertThat(both.getLong("totalOut"))
        .isEqualTo(first.getLong("totalOut") + second.getLong("totalOut"));

    // The digest is the canonical text's, and the closing hash the journal's chain hash there.
    assertThat(first.getString("digest")).isEqualTo(digestOf(first));
    String ndjson =
        api.get("/v1/accounts/" + a + "/entries.ndjson", alice.token()).body().toString();
    long closingSeq = first.getJsonObject("closing").getLong("seq");
    String chainHash =
        ndjson
            .lines()
            .map(JsonObject::new)
            .filter(e -> e.getLong("seq") == closingSeq)
            .findFirst()
            .orElseThrow()
            .getString("hash");
    assertThat(first.getJsonObject("closing").getString("hash")).isEqualTo(chainHash);

    // Same range, same bytes, after more moves and a close of the account.
    String url = "/v1/accounts/" + a + "/statement" + range(t0, t1);
    String csvUrl = "/v1/accounts/" + a + "/statement.csv" + range(t1, t2);
    byte[] json = api.get(url, alice.token()).body().getBytes();
    Reply csv = api.get(csvUrl, alice.token());
    assertThat(csv.status()).as(csv.toString()).isEqualTo(200);
    assertThat(csv.headers().get("Statement-Digest")).isEqualTo(second.getString("digest"));
    String csvText = csv.body().toString();
    assertThat(csvText.lines().toList())
        .hasSize(1 + second.getJsonArray("data").size())
        .first()
        .isEqualTo(
            "seq,createdAt,transferId,kind,status,amount,balanceChange,balanceAfter,"
                + "counterpartyAccountId,description,effectiveAt");
    assertThat(csvText).contains(",'=SUM(A1),\r\n");
    api.deposit(alice, a, 5);
    api.move("/v1/transfers", bob.token(), transfer(b, a, 9));
    api.post(
        "/v1/accounts/" + a + "/close",
        alice.token(),
        new JsonObject().put("sweepTo", api.openAccount(alice, "EUR")));
    assertThat(api.get(url, alice.token()).body().getBytes()).isEqualTo(json);
    assertThat(api.get(csvUrl, alice.token()).body().getBytes()).isEqualTo(csv.body().getBytes());
  }

  @Test
  void aStatementNeedsAnOrderedRangeAndTheOwner() {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    Instant now = Instant.now();
    assertProblem(
        api.get("/v1/accounts/" + a + "/statement" + range(now, now), alice.token()),
        400,
        "invalid-parameter");
    assertProblem(
        api.get("/v1/accounts/" + a + "/statement?from=" + now, alice.token()),
        400,
        "invalid-parameter");
    assertProblem(
        api.get("/v1/accounts/" + a + "/statement" + range(now.minusSeconds(60), now), bob.token()),
        404,
        "not-found");
    JsonObject empty =
        api.get(
                "/v1/accounts/" + a + "/statement" + range(now.minusSeconds(60), now),
                alice.token())
            .json();
    assertThat(empty.getJsonArray("data")).isEmpty();
    assertThat(empty.getLong("entryCount")).isZero();
    assertThat(empty.getJsonObject("closing").getLong("seq")).isZero();
  }
}
