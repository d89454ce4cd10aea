package dev.coffer.ledger.webhook;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.webhook.WebhookStore.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deliveries are claimed under a lease: while it runs no one else gets the row; once it ends (the
 * claiming instance died) the row is claimed again, and only the latest attempt's outcome counts.
 */
@ExtendWith(LedgerExtension.class)
class WebhookLeaseTest {

  @Test
  void aClaimWhoseInstanceDiedIsClaimedAgainAfterItsLeaseAndOnlyTheLatestAttemptCounts(
      LedgerFixture ledger) throws Exception {
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "EUR", 0);
    UUID endpoint =
        await(
                ledger.webhooks.create(
                    owner, "https://hooks.invalid/lease", List.of("transfer.created"), "s", 20))
            .value()
            .id();
    ledger.deposit(owner, account, 10);

    Delivery first = claimMine(ledger, endpoint, Duration.ofSeconds(5));
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(first.event().type()).isEqualTo("transfer.created");
    // Leased: another instance claiming now does not get it.
    assertThat(mine(await(ledger.webhooks.claim(1000, Duration.ofSeconds(30))), endpoint))
        .isEmpty();

    // The first claimant never answers; past its lease the row is due again.
    Delivery second = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (second == null && System.nanoTime() < deadline) {
      List<Delivery> again =
          mine(await(ledger.webhooks.claim(1000, Duration.ofSeconds(30))), endpoint);
      second = again.isEmpty() ? null : again.get(0);
      Thread.sleep(50);
    }
    assertThat(second).isNotNull();
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.event().id()).isEqualTo(first.event().id());

    // A late outcome of the first attempt changes nothing; the second's is recorded.
    await(ledger.webhooks.delivered(first));
    assertThat(status(ledger, first)).isEqualTo("pending");
    await(ledger.webhooks.delivered(second));
    assertThat(status(ledger, second)).isEqualTo("delivered");
  }

  private static Delivery claimMine(LedgerFixture ledger, UUID endpoint, Duration lease) {
    List<Delivery> claimed = mine(await(ledger.webhooks.claim(1000, lease)), endpoint);
    assertThat(claimed).hasSize(1);
    return claimed.get(0);
  }

  private static List<Delivery> mine(List<Delivery> claimed, UUID endpoint) {
    return claimed.stream().filter(d -> d.endpointId().equals(endpoint)).toList();
  }

  private static String status(LedgerFixture ledger, Delivery d) {
    return ledger
        .query(
            "SELECT status FROM webhook_deliveries WHERE event_id = '"
                + d.eventId()
                + "' AND endpoint_id = '"
                + d.endpointId()
                + "'")
        .get(0)
        .getString(0);
  }
}
