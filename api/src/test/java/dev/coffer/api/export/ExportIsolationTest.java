package dev.coffer.api.export;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.BigJournal;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.Scrape;
import dev.coffer.api.testing.StalledExport;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 27, finding 1: exports whose clients never read starved the money path. Now a user has at
 * most a few exports open, an export is only ever read from the replica (a full holding pool is
 * overload, 503, never a reason to use the primary), a stalled export is cut and its connection
 * returned, and a user's bytes per minute are bounded.
 */
@ExtendWith(LedgerExtension.class)
class ExportIsolationTest {
  // About 10 MB of NDJSON: more than the kernel lets a socket buffer (4 MB here), so a client that
  // does not read really stalls the export.
  private static final int ENTRIES = 14_000;
  // The replica's holding half is 2 connections; a pool wait gives up after 500 ms.
  private static final Map<String, String> SMALL_POOLS =
      Map.of(
          "COFFER_PG_PRIMARY_POOL_SIZE", "4",
          "COFFER_PG_REPLICA_POOL_SIZE", "4",
          "COFFER_PG_CONNECT_TIMEOUT_MS", "500",
          "COFFER_EXPORT_MAX_OPEN_PER_USER", "2",
          "COFFER_EXPORT_STALL_TIMEOUT_MS", "1500");
  private static ApiInstance instance;
  private static ApiClient api;
  private static Caller attacker;
  private static String attackersAccount;

  @BeforeAll
  static void aUserWithALongJournal(LedgerFixture ledger) {
    instance = ApiInstance.start(SMALL_POOLS);
    api = instance.client();
    attacker = api.newCaller();
    attackersAccount = api.openAccount(attacker, "EUR");
    String other = api.openAccount(attacker, "EUR");
    api.deposit(attacker, attackersAccount, 1_000_000);
    BigJournal.fill(ledger, attacker.id(), attackersAccount, other, ENTRIES);
  }

  @AfterAll
  static void stop() {
    api.close();
    instance.close();
  }

  @Test
  void stalledExportsAreCappedCutAndNeverReachThePrimary(LedgerFixture ledger) {
    String path = "/v1/accounts/" + attackersAccount + "/entries.ndjson";
    // Exports that end early (not found, HEAD) give their place back: none of these counts below.
    for (int i = 0; i < 3; i++) {
      assertProblem(
          api.get("/v1/accounts/" + UUID.randomUUID() + "/entries.csv", attacker.token()),
          404,
          "not-found");
      Reply head =
          api.send(
              HttpMethod.HEAD, path, Map.of("Authorization", "Bearer " + attacker.token()), null);
      assertThat(head.status()).as(head.toString()).isEqualTo(200);
    }
    // A HEAD is answered without streaming the journal: nothing is left open.
    assertThat(Scrape.value(api, "coffer_exports_open", "")).isZero();
    List<StalledExport> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        stalled.add(StalledExport.open(instance.port(), path, attacker.token()));
      }
      // Two open at once, the rest refused at once (not queued for a connection).
      assertThat(stalled.stream().map(StalledExport::status).toList())
          .containsOnly(200, 429)
          .filteredOn(s -> s == 200)
          .hasSize(2);
      assertThat(exportsRunningOn(ledger.pools.primary())).as("exports on the primary").isZero();
      assertThat(exportsRunningOn(ledger.pools.replica()))
          .as("exports on the replica")
          .isEqualTo(2);

      // A second user's export finds the holding half full: overload, never the primary.
      Caller other = api.newCaller();
      String othersAccount = api.openAccount(other, "EUR");
      api.deposit(other, othersAccount, 100);
      assertProblem(
          api.get("/v1/accounts/" + othersAccount + "/entries.csv", other.token()),
          503,
          "overloaded");
      assertThat(exportsRunningOn(ledger.pools.primary())).as("exports on the primary").isZero();

      // Everyone else's money path and reads are untouched.
      for (int i = 0; i < 20; i++) {
        Reply deposit =
            api.move(
                "/v1/deposits",
                other.token(),
                new JsonObject().put("accountId", othersAccount).put("amount", 1));
        assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
        Reply read = api.get("/v1/accounts/" + othersAccount, other.token());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        Reply page = api.get("/v1/accounts/" + othersAccount + "/entries", other.token());
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
      }

      // The stalled two are cut (the body never ends) and their connections go back.
      Scrape.awaitValue(api, "coffer_export_stalls_total", "", v -> v >= 2, Duration.ofSeconds(30));
      for (StalledExport export : stalled) {
        if (export.status() == 200) {
          assertThat(export.readUntilClosed(Duration.ofSeconds(30)))
              .as("a cut export has no terminating chunk")
              .doesNotEndWith("\r\n0\r\n\r\n");
        }
      }
      Scrape.awaitValue(api, "coffer_exports_open", "", v -> v == 0, Duration.ofSeconds(30));
      awaitNoExportOn(ledger.pools.replica());
      // And the user may export again.
      Reply whole = api.get(path, attacker.token());
      assertThat(whole.status()).as(whole.toString()).isEqualTo(200);
      assertThat(whole.text().split("\n")).hasSize(ENTRIES + 1);
    } finally {
      stalled.forEach(StalledExport::close);
    }
  }

  @Test
  void aUsersExportBytesPerMinuteAreBounded(LedgerFixture ledger) {
    try (ApiInstance budgeted =
            ApiInstance.start(Map.of("COFFER_EXPORT_BYTES_PER_MINUTE", "65536"));
        ApiClient client = budgeted.client()) {
      String path = "/v1/accounts/" + attackersAccount + "/entries.csv";
      // A client that reads: past 64 KiB the export waits for the user's minute to end.
      try (StalledExport first =
          StalledExport.open(budgeted.port(), path, attacker.token()).readInBackground()) {
        assertThat(first.status()).isEqualTo(200);
        Scrape.awaitValue(
            client, "coffer_export_throttles_total", "", v -> v >= 1, Duration.ofSeconds(30));
        Reply second = client.get(path, attacker.token());
        assertProblem(second, 429, "rate-limited");
        assertThat(Long.parseLong(second.header("Retry-After"))).isBetween(1L, 60L);
        // Another user's budget is their own.
        Caller other = client.newCaller();
        String account = client.openAccount(other, "EUR");
        client.deposit(other, account, 5);
        Reply theirs = client.get("/v1/accounts/" + account + "/entries.csv", other.token());
        assertThat(theirs.status()).as(theirs.toString()).isEqualTo(200);
      }
    }
  }

  private static long exportsRunningOn(Pool pool) {
    return LedgerFixture.await(
            pool.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                        + " AND state <> 'idle' AND query LIKE '%coalesce($2::timestamptz%'")
                .execute())
        .iterator()
        .next()
        .getLong(0);
  }

  private static void awaitNoExportOn(Pool pool) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (exportsRunningOn(pool) > 0) {
      assertThat(System.nanoTime()).as("exports still running on the replica").isLessThan(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
