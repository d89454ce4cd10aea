package dev.coffer.api.monitor;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.BusyRetry;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Balance monitors and their balance.monitor.triggered events (issue 30). */
@ExtendWith(LedgerExtension.class)
class MonitorApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();

  @AfterEach
  void moneyIsNeverCreatedOrLost(LedgerFixture ledger) {
    ledger.assertInvariants();
  }

  private static String monitor(Caller caller, String account, String field, String op, long n) {
    Reply reply =
        api.post(
            "/v1/accounts/" + account + "/monitors",
            caller.token(),
            new JsonObject().put("field", field).put("operator", op).put("threshold", n));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    assertThat(reply.json().getString("condition")).isEqualTo(field + " " + op + " " + n);
    return reply.json().getString("id");
  }

  private static void deposit(ApiClient client, Caller caller, String account, long amount) {
    Reply reply =
        BusyRetry.move(
            client,
            "/v1/deposits",
            caller,
            new JsonObject().put("accountId", account).put("amount", amount));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
  }

  private static Reply withdraw(ApiClient client, Caller caller, String account, long amount) {
    return BusyRetry.move(
        client,
        "/v1/withdrawals",
        caller,
        new JsonObject().put("accountId", account).put("amount", amount));
  }

  // The seqs named by the caller's balance.monitor.triggered events of one monitor, oldest first.
  private static List<Long> firedSeqs(Caller caller, String monitor) {
    List<Long> seqs = new ArrayList<>();
    String cursor = null;
    do {
      Reply page =
          api.get(
              "/v1/events?type=balance.monitor.triggered&limit=200"
                  + (cursor == null ? "" : "&cursor=" + cursor),
              caller.token());
      assertThat(page.status()).as(page.toString()).isEqualTo(200);
      for (Object o : page.json().getJsonArray("data")) {
        JsonObject event = (JsonObject) o;
        assertThat(event.getString("type")).isEqualTo("balance.monitor.triggered");
        if (event.getJsonObject("data").getString("monitorId").equals(monitor)) {
          seqs.add(0, event.getJsonObject("data").getLong("seq"));
        }
      }
      cursor = page.json().getString("nextCursor");
    } while (cursor != null);
    seqs.sort(Long::compare);
    return seqs;
  }

  // The seqs of the entries whose balance makes `holds` true after being false before them.
  private static List<Long> crossings(Caller caller, String account, LongPredicate holds) {
    String ndjson =
        api.get("/v1/accounts/" + account + "/entries.ndjson", caller.token()).body().toString();
    List<Long> seqs = new ArrayList<>();
    long before = 0;
    for (String line : ndjson.lines().toList()) {
      JsonObject entry = new JsonObject(line);
      long after = entry.getLong("balanceAfter");
      if (holds.test(after) && !holds.test(before)) {
        seqs.add(entry.getLong("seq"));
      }
      before = after;
    }
    return seqs;
  }

  @Test
  void aMonitorFiresOnEachCrossingOnlyNotWhileTrueNorOnceRemoved() {
    Caller alice = api.newCaller();
    Caller stranger = api.newCaller();
    String a = api.openAccount(alice, "EUR");
    String high = monitor(alice, a, "balance", ">=", 1_000);
    String low = monitor(alice, a, "available", "<", 100);
    assertProblem(api.get("/v1/accounts/" + a + "/monitors", stranger.token()), 404, "not-found");
    assertProblem(
        api.post(
            "/v1/accounts/" + a + "/monitors",
            stranger.token(),
            new JsonObject().put("field", "balance").put("operator", "<").put("threshold", 1)),
        404,
        "not-found");
    assertProblem(
        api.post(
            "/v1/accounts/" + a + "/monitors",
            alice.token(),
            new JsonObject().put("field", "mood").put("operator", "<").put("threshold", 1)),
        422,
        "validation");
    assertProblem(
        api.delete("/v1/accounts/" + a + "/monitors/" + high, stranger.token()), 404, "not-found");

    deposit(api, alice, a, 500); // seq 1: 0 -> 500: neither
    deposit(api, alice, a, 600); // seq 2: 1100: balance >= 1000 crosses
    deposit(api, alice, a, 10); // seq 3: still true: nothing
    withdraw(api, alice, a, 1_050); // seq 4: 60: available < 100 crosses
    withdraw(api, alice, a, 10); // seq 5: still true: nothing
    deposit(api, alice, a, 2_000); // seq 6: 2050: balance >= 1000 crosses again
    assertThat(firedSeqs(alice, high)).containsExactly(2L, 6L);
    assertThat(firedSeqs(alice, low)).containsExactly(4L);
    assertThat(firedSeqs(stranger, high)).isEmpty();

    JsonObject event = null;
    for (Object o : api.get("/v1/events?limit=200", alice.token()).json().getJsonArray("data")) {
      JsonObject e = (JsonObject) o;
      if (e.getString("type").equals("balance.monitor.triggered")
          && e.getJsonObject("data").getLong("seq") == 4) {
        event = e.getJsonObject("data");
      }
    }
    assertThat(event).isNotNull();
    assertThat(event.getLong("previousValue")).isEqualTo(1_110);
    assertThat(event.getLong("value")).isEqualTo(60);
    assertThat(event.getString("accountId")).isEqualTo(a);
    String withdrawal =
        api.get("/v1/accounts/" + a + "/entries?limit=3", alice.token())
            .json()
            .getJsonArray("data")
            .getJsonObject(2)
            .getString("transferId"); // seq 6, 5, then 4
    assertThat(event.getString("transferId")).isEqualTo(withdrawal);

    // Added while true: fires at the next crossing, not now.
    String positive = monitor(alice, a, "balance", ">", 0);
    deposit(api, alice, a, 1); // seq 7
    assertThat(firedSeqs(alice, positive)).isEmpty();

    JsonObject listed = api.get("/v1/accounts/" + a + "/monitors", alice.token()).json();
    assertThat(listed.getJsonArray("data")).hasSize(3);
    assertThat(listed.getJsonArray("data").getJsonObject(0).getLong("firedCount")).isEqualTo(2);
    assertThat(listed.getJsonArray("data").getJsonObject(1).getLong("firedCount")).isEqualTo(1);

    // Removed: it fires no more.
    assertThat(api.delete("/v1/accounts/" + a + "/monitors/" + high, alice.token()).status())
        .isEqualTo(204);
    withdraw(api, alice, a, 1_500); // seq 8: 551
    deposit(api, alice, a, 1_000); // seq 9: 1551: would have crossed
    assertThat(firedSeqs(alice, high)).containsExactly(2L, 6L);
    assertProblem(
        api.delete("/v1/accounts/" + a + "/monitors/" + high, alice.token()), 404, "not-found");
  }

  @Test
  void aMonitorFiresExactlyOncePerCrossingUnder16WritersOnTwoInstances() throws Exception {
    try (ApiInstance second = ApiInstance.start(Map.of());
        ApiClient other = second.client()) {
      Caller alice = api.newCaller();
      String a = api.openAccount(alice, "EUR");
      deposit(api, alice, a, 950);
      String high = monitor(alice, a, "balance", ">=", 1_000);
      String low = monitor(alice, a, "available", "<", 900);
      List<ApiClient> clients = List.of(api, other);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        ApiClient client = clients.get(w % 2);
        writers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 30; i++) {
                    if (ThreadLocalRandom.current().nextBoolean()) {
                      deposit(client, alice, a, 50);
                    } else {
                      Reply reply = withdraw(client, alice, a, 50);
                      assertThat(reply.status()).as(reply.toString()).isIn(201, 422);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> writer : writers) {
        writer.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();

      List<Long> highCrossings = crossings(alice, a, balance -> balance >= 1_000);
      List<Long> lowCrossings = crossings(alice, a, balance -> balance < 900);
      // Seq 1 is the first deposit, before the monitors: it crossed nothing of theirs.
      highCrossings.remove(Long.valueOf(1));
      lowCrossings.remove(Long.valueOf(1));
      assertThat(highCrossings).isNotEmpty();
      assertThat(firedSeqs(alice, high)).isEqualTo(highCrossings);
      assertThat(firedSeqs(alice, low)).isEqualTo(lowCrossings);
      JsonObject listed = api.get("/v1/accounts/" + a + "/monitors", alice.token()).json();
      assertThat(listed.getJsonArray("data").getJsonObject(0).getLong("firedCount"))
          .isEqualTo(highCrossings.size());
      assertThat(listed.getJsonArray("data").getJsonObject(1).getLong("firedCount"))
          .isEqualTo(lowCrossings.size());
    }
  }
}
