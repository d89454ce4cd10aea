package dev.coffer.api.export;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, finding 7: an export's {@code from} and {@code to} are read by the parser the other
 * routes use, so a time with a {@code +} offset (encoded or not) is a time, and a range that is
 * empty or reversed is answered as {@code GET /v1/transfers} answers it.
 */
class ExportParametersTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @Test
  void aPlusOffsetIsATimeAndAReversedRangeIs400AsOnTransfers() {
    Caller alice = api.newCaller();
    String account = api.openAccount(alice, "EUR");
    api.deposit(alice, account, 500);
    String path = "/v1/accounts/" + account + "/entries.ndjson";
    // Now, written with a +05:30 offset: the deposit was made before it.
    String now = OffsetDateTime.now(ZoneOffset.ofHoursMinutes(5, 30)).plusSeconds(5).toString();
    String encoded = now.replace("+", "%2B");
    for (String to : new String[] {encoded, now}) {
      Reply reply = api.get(path + "?to=" + to, alice.token());
      assertThat(reply.status()).as(to + ": " + reply).isEqualTo(200);
      assertThat(new JsonObject(reply.text().trim()).getLong("amount")).isEqualTo(500);
    }
    // A made-up token past everything written names no write: served from the replica, not 503
    // after waiting for a position it will never reach (the fuzzer found it).
    Reply farFuture =
        api.get(path, alice.token(), java.util.Map.of("Consistency-Token", "ffffffffffffffff"));
    assertThat(farFuture.status()).as(farFuture.toString()).isEqualTo(200);
    assertThat(new JsonObject(farFuture.text().trim()).getLong("amount")).isEqualTo(500);
    Reply csv = api.get("/v1/accounts/" + account + "/entries.csv?from=" + encoded, alice.token());
    assertThat(csv.status()).as(csv.toString()).isEqualTo(200);

    String later = "2026-12-07T10:00:00%2B05:30";
    String earlier = "2026-12-07T04:00:00Z"; // 09:30 at +05:30
    for (String route : new String[] {path, "/v1/accounts/" + account + "/entries.csv"}) {
      assertProblem(
          api.get(route + "?from=" + later + "&to=" + earlier, alice.token()),
          400,
          "invalid-parameter");
      assertProblem(
          api.get(route + "?from=" + later + "&to=" + later, alice.token()),
          400,
          "invalid-parameter");
    }
    assertProblem(
        api.get("/v1/transfers?from=" + later + "&to=" + earlier, alice.token()),
        400,
        "invalid-parameter");
    // Both answer the same problem, word for word.
    assertThat(
            api.get(path + "?from=" + later + "&to=" + earlier, alice.token())
                .json()
                .getString("detail"))
        .isEqualTo(
            api.get("/v1/transfers?from=" + later + "&to=" + earlier, alice.token())
                .json()
                .getString("detail"));
    // A year RFC 3339 cannot write is refused on every route alike.
    assertProblem(
        api.get("/v1/transfers?from=%2B999999-01-01T00:00:00Z", alice.token()),
        400,
        "invalid-parameter");
  }
}
