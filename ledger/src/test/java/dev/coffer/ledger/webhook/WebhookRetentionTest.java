package dev.coffer.ledger.webhook;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Events older than the retention are purged; younger ones stay. */
@ExtendWith(LedgerExtension.class)
class WebhookRetentionTest {

  @Test
  void thePurgeDeletesEventsPastTheRetentionOnly(LedgerFixture ledger) {
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "EUR", 0);
    ledger.deposit(owner, account, 10);
    ledger.deposit(owner, account, 20);
    int written = events(ledger, owner);
    assertThat(written).isGreaterThanOrEqualTo(2);
    // Made 31 days old as such an event would be: its time, and its id's (a UUIDv7's first 48
    // bits are its millisecond, which is what the purge bounds).
    ledger.query(
        "UPDATE events SET created_at = now() - interval '31 days',"
            + " id = (lpad(to_hex((extract(epoch FROM now() - interval '31 days') * 1000)::bigint),"
            + " 12, '0') || substr(replace(id::text, '-', ''), 13))::uuid"
            + " WHERE id = (SELECT min(id::text)::uuid FROM events WHERE owner_id = '"
            + owner
            + "')");

    int purged = await(ledger.webhooks.purge(Duration.ofDays(30)));

    assertThat(purged).isPositive();
    // Every event still there is younger than the retention, by its time as by its id.
    assertThat(
            ledger
                .query(
                    "SELECT count(*)::int FROM events WHERE created_at < now() - interval '30 days'")
                .get(0)
                .getInteger(0))
        .isZero();
    assertThat(events(ledger, owner)).isEqualTo(written - 1);
  }

  private static int events(LedgerFixture ledger, UUID owner) {
    return ledger
        .query("SELECT count(*)::int FROM events WHERE owner_id = '" + owner + "'")
        .get(0)
        .getInteger(0);
  }
}
