package dev.coffer.ledger.webhook;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.webhook.WebhookStore.Backlog;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backlog counts pending deliveries and ages the oldest one's event (what the alerts read). */
@ExtendWith(LedgerExtension.class)
class WebhookBacklogTest {

  @Test
  void aPendingDeliveryCountsAndItsEventsAgeIsTheOldest(LedgerFixture ledger) {
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "EUR", 0);
    UUID endpoint =
        await(
                ledger.webhooks.create(
                    owner, "https://hooks.invalid/backlog", List.of("transfer.created"), "s", 20))
            .value()
            .id();
    try {
      ledger.deposit(owner, account, 10);
      // Other tests share the database: only a lower bound holds for the count, and the age is
      // pushed far past anything they leave pending.
      ledger.query(
          "UPDATE events SET created_at = now() - interval '20 days' WHERE id IN (SELECT event_id"
              + " FROM webhook_deliveries WHERE endpoint_id = '"
              + endpoint
              + "')");

      Backlog backlog = await(ledger.webhooks.backlog());

      assertThat(backlog.pending()).isGreaterThanOrEqualTo(1);
      assertThat(backlog.oldestSeconds()).isGreaterThanOrEqualTo(20 * 86_400 - 60);

      ledger.query(
          "UPDATE webhook_deliveries SET status = 'delivered' WHERE endpoint_id = '"
              + endpoint
              + "'");
      assertThat(await(ledger.webhooks.backlog()).oldestSeconds()).isLessThan(20 * 86_400 - 60);
    } finally {
      ledger.query("DELETE FROM webhook_endpoints WHERE id = '" + endpoint + "'");
    }
  }
}
