package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.transfer.Reversal;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reversals (refunds): by the payee only, of posted transfers, never past the original. */
@ExtendWith(LedgerExtension.class)
class ReversalTest {
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

  private Transfer pay(long amount) {
    return await(
            ledger.transfers.move(
                payer, TransferRequest.transfer(payerAccount, payeeAccount, amount, "order")))
        .value();
  }

  private Transfer reverse(UUID by, UUID original, Long amount) {
    return await(ledger.transfers.reverse(by, new Reversal(original, amount, "refund", Map.of())))
        .value();
  }

  private Transfer get(UUID id) {
    return await(ledger.transfers.get(payer, id, ConsistencyToken.LATEST));
  }

  private long balance(UUID owner, UUID account) {
    Account a = await(ledger.accounts.get(owner, account, ConsistencyToken.LATEST));
    return a.balance();
  }

  private static String refusal(Throwable t) {
    return t instanceof LedgerException le
        ? le.code() + (le.refusal() == null ? "" : "/" + le.refusal().code())
        : String.valueOf(t);
  }

  @Test
  void thePayeeRefundsInPartsUpToTheOriginal() {
    Transfer paid = pay(1_000);
    Transfer first = reverse(payee, paid.id(), 300L);
    assertThat(first.reversalOf()).isEqualTo(paid.id());
    assertThat(first.fromAccountId()).isEqualTo(payeeAccount);
    assertThat(first.toAccountId()).isEqualTo(payerAccount);
    assertThat(first.amount()).isEqualTo(300);
    assertThat(first.status()).isEqualTo(TransferStatus.POSTED);
    assertThat(get(paid.id()).reversedAmount()).isEqualTo(300);

    // Without an amount: what is left.
    Transfer rest = reverse(payee, paid.id(), null);
    assertThat(rest.amount()).isEqualTo(700);
    assertThat(get(paid.id()).reversedAmount()).isEqualTo(1_000);
    assertThat(balance(payer, payerAccount)).isEqualTo(10_000);
    assertThat(balance(payee, payeeAccount)).isZero();

    assertThatThrownBy(() -> reverse(payee, paid.id(), 1L))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("reversal-exceeds-transfer"));
    assertThatThrownBy(() -> reverse(payee, paid.id(), null))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("reversal-exceeds-transfer"));
  }

  @Test
  void onlyThePayeeMayReverseAndOnlyAPostedPayment() {
    Transfer paid = pay(500);
    assertThatThrownBy(() -> reverse(payer, paid.id(), null))
        .satisfies(
            e -> assertThat(refusal(e)).isEqualTo("transfer-not-reversible/not-destination-owner"));
    UUID stranger = ledger.newUser();
    assertThatThrownBy(() -> reverse(stranger, paid.id(), null))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("not-found"));
    assertThatThrownBy(() -> reverse(payee, UUID.randomUUID(), null))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("not-found"));

    Transfer held =
        await(
                ledger.transfers.move(
                    payer,
                    TransferRequest.pending(
                        payerAccount, payeeAccount, 100, null, Duration.ofHours(1))))
            .value();
    assertThatThrownBy(() -> reverse(payee, held.id(), null))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("transfer-not-reversible/not-posted"));
    await(ledger.transfers.settle(payer, held.id(), TransferStatus.VOIDED));
    assertThatThrownBy(() -> reverse(payee, held.id(), null))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("transfer-not-reversible/not-posted"));

    // Deposits and withdrawals are not payments between users; a reversal is not reversed.
    Transfer deposit =
        await(ledger.transfers.move(payee, TransferRequest.deposit(payeeAccount, 50, null)))
            .value();
    assertThatThrownBy(() -> reverse(payee, deposit.id(), null))
        .satisfies(
            e -> assertThat(refusal(e)).isEqualTo("transfer-not-reversible/not-reversible-kind"));
    Transfer refund = reverse(payee, paid.id(), 10L);
    assertThatThrownBy(() -> reverse(payer, refund.id(), null))
        .satisfies(
            e -> assertThat(refusal(e)).isEqualTo("transfer-not-reversible/not-reversible-kind"));
  }

  @Test
  void thePayeeMustHaveTheMoneyToGiveBack() {
    Transfer paid = pay(400);
    UUID elsewhere = ledger.openAccount(payer, "EUR", 0);
    await(
        ledger.transfers.move(
            payee, TransferRequest.transfer(payeeAccount, elsewhere, 350, "spent")));
    assertThatThrownBy(() -> reverse(payee, paid.id(), 100L))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("insufficient-funds"));
    assertThat(get(paid.id()).reversedAmount()).isZero();
    assertThat(reverse(payee, paid.id(), 50L).amount()).isEqualTo(50);
  }

  /** Two partial reversals at once: the original's row lock makes one wait for the other. */
  @Test
  void concurrentPartialReversalsNeverExceedTheOriginal() {
    ledger.deposit(payee, payeeAccount, 100_000);
    for (int round = 0; round < 20; round++) {
      Transfer paid = pay(100);
      List<Future<?>> racing = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        racing.add(ledger.transfers.reverse(payee, new Reversal(paid.id(), 40L, null, Map.of())));
      }
      await(Future.join(racing).otherwiseEmpty());
      long won = racing.stream().filter(Future::succeeded).count();
      assertThat(won).isEqualTo(2);
      racing.stream()
          .filter(Future::failed)
          .forEach(f -> assertThat(refusal(f.cause())).isEqualTo("reversal-exceeds-transfer"));
      assertThat(get(paid.id()).reversedAmount()).isEqualTo(80);
      List<io.vertx.sqlclient.Row> sum =
          ledger.query(
              "SELECT coalesce(sum(amount), 0) AS s FROM transfers WHERE reversal_of = '"
                  + paid.id()
                  + "'");
      assertThat(sum.get(0).getLong("s")).isEqualTo(80);
    }
  }
}
