package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.transfer.Reversal;
import dev.coffer.ledger.transfer.Settle;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hold captured in parts, as card networks do: never more than the hold, the rest released by a
 * final capture, a void or the expiry, each step a pair of entries of its own.
 */
@ExtendWith(LedgerExtension.class)
class PartialCaptureTest {
  private LedgerFixture ledger;
  private UUID payer;
  private UUID payee;
  private UUID payerAccount;
  private UUID payeeAccount;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    payer = ledger.newUser();
    payee = ledger.newUser();
    payerAccount = ledger.openAccount(payer, "EUR", 0);
    payeeAccount = ledger.openAccount(payee, "EUR", 0);
    ledger.deposit(payer, payerAccount, 10_000);
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  @Test
  void capturesInPartsThenAFinalOneReleasesTheRest() {
    Transfer hold = hold(1_000, Duration.ofHours(1));
    Transfer first = capture(hold.id(), 300L, false);
    assertThat(first.status()).isEqualTo(TransferStatus.PENDING);
    assertThat(first.capturedAmount()).isEqualTo(300);
    assertThat(account(payer, payerAccount).balance()).isEqualTo(9_700);
    assertThat(account(payer, payerAccount).pendingDebits()).isEqualTo(700);
    assertThat(account(payee, payeeAccount).balance()).isEqualTo(300);
    assertThat(account(payee, payeeAccount).pendingCredits()).isEqualTo(700);

    Transfer last = capture(hold.id(), 200L, true);
    assertThat(last.status()).isEqualTo(TransferStatus.POSTED);
    assertThat(last.capturedAmount()).isEqualTo(500);
    assertThat(last.postedAt()).isNotNull();
    assertThat(account(payer, payerAccount).balance()).isEqualTo(9_500);
    assertThat(account(payer, payerAccount).pendingDebits()).isZero();
    assertThat(account(payee, payeeAccount).balance()).isEqualTo(500);
    assertThat(account(payee, payeeAccount).pendingCredits()).isZero();

    // The payer's journal: the hold, two captures, the release of the 500 left.
    assertThat(entries(payerAccount, hold.id()))
        .containsExactly("pending -1000", "posted -300", "posted -200", "voided -500");
    assertThatThrownBy(() -> capture(hold.id(), 1L, true))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("transfer-not-pending/already-posted"));
    // Each owner hears of the capture that kept the rest held, then of the posting.
    List<String> events = new ArrayList<>();
    for (Row row :
        ledger.query(
            "SELECT type, (data->>'capturedAmount')::bigint FROM events WHERE owner_id = '"
                + payee
                + "' AND transfer_id = '"
                + hold.id()
                + "' ORDER BY id")) {
      events.add(row.getString(0) + " " + row.getLong(1));
    }
    assertThat(events)
        .containsExactly("transfer.created 0", "transfer.captured 300", "transfer.posted 500");
  }

  @Test
  void neverMoreThanIsLeftOfTheHold() {
    Transfer hold = hold(100, Duration.ofHours(1));
    assertThatThrownBy(() -> capture(hold.id(), 101L, true))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("capture-exceeds-hold"));
    capture(hold.id(), 60L, false);
    assertThatThrownBy(() -> capture(hold.id(), 41L, false))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("capture-exceeds-hold"));
    // Without an amount: what is left, and the hold ends.
    Transfer rest = capture(hold.id(), null, false);
    assertThat(rest.status()).isEqualTo(TransferStatus.POSTED);
    assertThat(rest.capturedAmount()).isEqualTo(100);
    assertThat(account(payee, payeeAccount).balance()).isEqualTo(100);
  }

  @Test
  void aVoidOrAnExpiryAfterCapturesReleasesOnlyTheRestAndTheCapturesCanBeRefunded()
      throws Exception {
    Transfer voided = hold(400, Duration.ofHours(1));
    capture(voided.id(), 150L, false);
    Transfer afterVoid =
        await(ledger.transfers.settle(payer, voided.id(), TransferStatus.VOIDED)).value();
    assertThat(afterVoid.status()).isEqualTo(TransferStatus.VOIDED);
    assertThat(afterVoid.capturedAmount()).isEqualTo(150);

    Transfer expiring = hold(300, Duration.ofSeconds(2));
    capture(expiring.id(), 100L, false);
    // The sweeper is the service's; here the ledger's own sweep expires it once due.
    Thread.sleep(2_100);
    await(ledger.transfers.sweepDue(200));
    Transfer expired = await(ledger.transfers.get(payer, expiring.id(), ConsistencyToken.LATEST));
    assertThat(expired.status()).isEqualTo(TransferStatus.EXPIRED);
    assertThat(expired.capturedAmount()).isEqualTo(100);

    assertThat(account(payer, payerAccount).balance()).isEqualTo(10_000 - 250);
    assertThat(account(payer, payerAccount).pendingDebits()).isZero();
    assertThat(account(payee, payeeAccount).balance()).isEqualTo(250);

    // What moved can be refunded, and no more.
    await(ledger.transfers.reverse(payee, new Reversal(voided.id(), null, "refund", Map.of())));
    assertThatThrownBy(
            () ->
                await(
                    ledger.transfers.reverse(
                        payee, new Reversal(expiring.id(), 101L, "refund", Map.of()))))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("reversal-exceeds-transfer"));
    assertThat(account(payee, payeeAccount).balance()).isEqualTo(100);
  }

  @Test
  void concurrentCapturesNeverExceedTheHold() {
    Transfer hold = hold(100, Duration.ofHours(1));
    List<Future<?>> captures = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      captures.add(
          ledger.transfers.settle(payer, new Settle(hold.id(), TransferStatus.POSTED, 10L, false)));
    }
    int captured = 0;
    int refused = 0;
    for (Future<?> f : captures) {
      try {
        await(f);
        captured++;
      } catch (RuntimeException e) {
        assertThat(refusal(e.getCause() != null ? e.getCause() : e))
            .isIn("capture-exceeds-hold", "transfer-not-pending/already-posted");
        refused++;
      }
    }
    assertThat(captured).isEqualTo(10);
    assertThat(refused).isEqualTo(6);
    Transfer done = await(ledger.transfers.get(payer, hold.id(), ConsistencyToken.LATEST));
    assertThat(done.capturedAmount()).isEqualTo(100);
    assertThat(done.status()).isEqualTo(TransferStatus.POSTED);
    assertThat(account(payee, payeeAccount).balance()).isEqualTo(100);
    assertThat(account(payer, payerAccount).balance()).isEqualTo(9_900);
  }

  @Test
  void aWholePostStaysAsItWas() {
    Transfer hold = hold(250, Duration.ofHours(1));
    Transfer posted =
        await(ledger.transfers.settle(payer, hold.id(), TransferStatus.POSTED)).value();
    assertThat(posted.capturedAmount()).isEqualTo(250);
    assertThat(
            ledger
                .query("SELECT captured_amount FROM transfers WHERE id = '" + hold.id() + "'")
                .get(0)
                .getValue(0))
        .as("no partial capture: nothing stored")
        .isNull();
    assertThat(entries(payerAccount, hold.id())).containsExactly("pending -250", "posted -250");
  }

  private Transfer hold(long amount, Duration pendingFor) {
    return await(
            ledger.transfers.move(
                payer,
                TransferRequest.pending(payerAccount, payeeAccount, amount, "order", pendingFor)))
        .value();
  }

  private Transfer capture(UUID id, Long amount, boolean isFinal) {
    return await(
            ledger.transfers.settle(payer, new Settle(id, TransferStatus.POSTED, amount, isFinal)))
        .value();
  }

  private Account account(UUID owner, UUID id) {
    return await(ledger.accounts.get(owner, id, ConsistencyToken.LATEST));
  }

  private List<String> entries(UUID account, UUID transfer) {
    List<String> lines = new ArrayList<>();
    for (Row row :
        ledger.query(
            "SELECT status, amount FROM entries WHERE account_id = '"
                + account
                + "' AND transfer_id = '"
                + transfer
                + "' ORDER BY seq")) {
      lines.add(row.getString(0) + " " + row.getLong(1));
    }
    return lines;
  }

  private static String refusal(Throwable t) {
    return t instanceof LedgerException le
        ? le.code() + (le.refusal() == null ? "" : "/" + le.refusal().code())
        : String.valueOf(t);
  }
}
