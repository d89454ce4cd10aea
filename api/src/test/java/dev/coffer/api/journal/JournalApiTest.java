package dev.coffer.api.journal;

import static dev.coffer.api.testing.ApiClient.transfer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.Scrape;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hash chain over HTTP: it holds for a journal written by the ledger; an entry edited straight
 * in PostgreSQL is found by {@code /verify} and by the periodic audit's metric.
 */
@ExtendWith(LedgerExtension.class)
class JournalApiTest {
  private static ApiInstance instance;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    instance =
        ApiInstance.start(
            // A minute's window holds this test's entries; a wider one makes every audit, five a
            // second, re-hash what the earlier tests wrote.
            Map.of("COFFER_JOURNAL_AUDIT_MS", "200", "COFFER_JOURNAL_AUDIT_WINDOW_MS", "60000"));
    api = instance.client();
  }

  @AfterAll
  static void stop() {
    api.close();
    instance.close();
  }

  @Test
  void anEntryEditedBehindTheServicesBackIsFoundByVerifyAndByTheAudit(LedgerFixture ledger) {
    Caller alice = api.newCaller();
    String main = api.openAccount(alice, "EUR");
    String other = api.openAccount(alice, "EUR");
    api.deposit(alice, main, 1_000);
    api.move(
        "/v1/transfers", alice.token(), transfer(main, other, 300).put("description", "a, \"b\""));
    api.pending(alice, main, other, 50);
    api.deposit(alice, main, 7);

    JsonObject holds = verify(alice, main, Map.of());
    assertThat(holds.getBoolean("ok")).isTrue();
    assertThat(holds.getLong("entries")).isEqualTo(4);
    assertThat(holds.getLong("lastSeq")).isEqualTo(4);
    assertThat(holds.getString("lastHash")).matches("[0-9a-f]{64}");
    assertThat(holds.getValue("firstBreak")).isNull();
    double failuresBefore = Scrape.value(api, "coffer_journal_verify_failures_total", "");

    String seq2 = " WHERE account_id = '" + main + "' AND seq = 2";
    String storedHash =
        java.util.HexFormat.of()
            .formatHex(
                ledger.query("SELECT hash FROM entries" + seq2).get(0).getBuffer(0).getBytes());
    ledger.query("UPDATE entries SET amount = -3" + seq2);
    try {
      // The edit's place in the primary's log: a read with it as token sees the edit.
      String token =
          ConsistencyToken.fromPgLsn(
                  ledger.query("SELECT pg_current_wal_insert_lsn()::text").get(0).getString(0))
              .toString();
      JsonObject broken = verify(alice, main, Map.of("Consistency-Token", token));
      assertThat(broken.getBoolean("ok")).isFalse();
      assertThat(broken.getLong("entries")).isEqualTo(1);
      JsonObject at = broken.getJsonObject("firstBreak");
      assertThat(at.getLong("seq")).isEqualTo(2);
      assertThat(at.getString("reason")).isEqualTo("hash-mismatch");
      assertThat(at.getString("storedHash")).isEqualTo(storedHash);
      assertThat(at.getString("expectedHash")).matches("[0-9a-f]{64}").isNotEqualTo(storedHash);

      Scrape.awaitValue(
          api,
          "coffer_journal_verify_failures_total",
          "",
          v -> v > failuresBefore,
          Duration.ofSeconds(30));
      assertThat(Scrape.value(api, "coffer_journal_broken_entries", "")).isGreaterThanOrEqualTo(1);
    } finally {
      ledger.query("UPDATE entries SET amount = -300" + seq2);
    }
    String token =
        ConsistencyToken.fromPgLsn(
                ledger.query("SELECT pg_current_wal_insert_lsn()::text").get(0).getString(0))
            .toString();
    JsonObject restored = verify(alice, main, Map.of("Consistency-Token", token));
    assertThat(restored.getBoolean("ok")).as(restored.encode()).isTrue();
    Scrape.awaitValue(
        api, "coffer_journal_broken_entries", "", v -> v == 0, Duration.ofSeconds(30));
    assertThat(Scrape.value(api, "coffer_journal_last_verified_timestamp_seconds", ""))
        .isPositive();
    ledger.assertInvariants();
  }

  private static JsonObject verify(Caller caller, String account, Map<String, String> headers) {
    Reply reply = api.get("/v1/accounts/" + account + "/verify", caller.token(), headers);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }
}
