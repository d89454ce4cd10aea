package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.transfer.BatchItemException;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The races other ledgers shipped as bugs. */
@ExtendWith(LedgerExtension.class)
class LedgerRacesTest {
  private LedgerFixture ledger;
  private UUID owner;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    owner = ledger.newUser();
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  private Account account(UUID id) {
    return await(ledger.accounts.get(owner, id, ConsistencyToken.LATEST));
  }

  private static String code(Throwable t) {
    return t instanceof LedgerException le ? le.code() : String.valueOf(t);
  }

  // The settle refusal's reason, after its code: "transfer-not-pending/already-voided".
  private static String refusal(Throwable t) {
    return t instanceof LedgerException le && le.refusal() != null
        ? le.code() + "/" + le.refusal().code()
        : code(t);
  }

  @Test
  void theFundsCheckCountsPendingDebits() {
    UUID a = ledger.openAccount(owner, "USD", 0);
    UUID b = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, a, 100);
    await(
        ledger.transfers.move(
            owner, TransferRequest.pending(a, b, 80, null, Duration.ofMinutes(1))));
    assertThatThrownBy(
            () -> await(ledger.transfers.move(owner, TransferRequest.transfer(a, b, 30, null))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("insufficient-funds"));
    Account after = account(a);
    assertThat(after.balance()).isEqualTo(100);
    assertThat(after.pendingDebits()).isEqualTo(80);
    assertThat(after.available()).isEqualTo(20);
  }

  @Test
  void concurrentCreditsNeverOverwriteEachOther() {
    UUID target = ledger.openAccount(owner, "USD", 0);
    List<UUID> sources = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      UUID s = ledger.openAccount(owner, "USD", 0);
      ledger.deposit(owner, s, 1_000);
      sources.add(s);
    }
    List<Future<?>> all = new ArrayList<>();
    for (int round = 0; round < 25; round++) {
      for (UUID s : sources) {
        all.add(ledger.transfers.move(owner, TransferRequest.transfer(s, target, 7, null)));
      }
    }
    await(Future.all(all));
    assertThat(account(target).balance()).isEqualTo(8 * 25 * 7);
  }

  @Test
  void aVoidedPendingTransferCanNeverBePosted() {
    UUID a = ledger.openAccount(owner, "USD", 0);
    UUID b = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, a, 100);
    Transfer t =
        await(
                ledger.transfers.move(
                    owner, TransferRequest.pending(a, b, 50, null, Duration.ofMinutes(1))))
            .value();
    assertThat(
            await(ledger.transfers.settle(owner, t.id(), TransferStatus.VOIDED)).value().status())
        .isEqualTo(TransferStatus.VOIDED);
    assertThatThrownBy(() -> await(ledger.transfers.settle(owner, t.id(), TransferStatus.POSTED)))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("transfer-not-pending/already-voided"));
    assertThat(account(b).balance()).isZero();
    assertThat(account(a).available()).isEqualTo(100);
  }

  @Test
  void anExpiredPendingTransferCanNeverBePosted() throws Exception {
    UUID a = ledger.openAccount(owner, "USD", 0);
    UUID b = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, a, 100);
    Transfer t =
        await(
                ledger.transfers.move(
                    owner, TransferRequest.pending(a, b, 50, null, Duration.ofSeconds(1))))
            .value();
    Thread.sleep(1100);
    // Past its expiry, even before the sweeper ran, it cannot be posted.
    assertThatThrownBy(() -> await(ledger.transfers.settle(owner, t.id(), TransferStatus.POSTED)))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("transfer-not-pending/expired"));
    assertThat(await(ledger.transfers.expireDue(1000))).isGreaterThanOrEqualTo(1);
    assertThat(await(ledger.transfers.get(owner, t.id(), ConsistencyToken.LATEST)).status())
        .isEqualTo(TransferStatus.EXPIRED);
    assertThatThrownBy(() -> await(ledger.transfers.settle(owner, t.id(), TransferStatus.VOIDED)))
        .satisfies(e -> assertThat(refusal(e)).isEqualTo("transfer-not-pending/expired"));
    assertThat(account(a).pendingDebits()).isZero();
    assertThat(account(a).balance()).isEqualTo(100);
  }

  @Test
  void concurrentPostAndVoidOfOnePendingTransferHaveExactlyOneWinner() {
    UUID a = ledger.openAccount(owner, "USD", 0);
    UUID b = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, a, 10_000);
    for (int i = 0; i < 20; i++) {
      Transfer t =
          await(
                  ledger.transfers.move(
                      owner, TransferRequest.pending(a, b, 10, null, Duration.ofMinutes(1))))
              .value();
      Future<?> post = ledger.transfers.settle(owner, t.id(), TransferStatus.POSTED);
      Future<?> voided = ledger.transfers.settle(owner, t.id(), TransferStatus.VOIDED);
      await(Future.join(post, voided).transform(ar -> Future.succeededFuture()));
      assertThat(post.succeeded() ^ voided.succeeded()).as("exactly one wins").isTrue();
      Future<?> loser = post.succeeded() ? voided : post;
      assertThat(refusal(loser.cause()))
          .isEqualTo(
              post.succeeded()
                  ? "transfer-not-pending/already-posted"
                  : "transfer-not-pending/already-voided");
    }
  }

  @Test
  void aBatchWithOneOverdraftingItemAppliesNothing() {
    UUID a = ledger.openAccount(owner, "USD", 0);
    UUID b = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, a, 100);
    List<TransferRequest> batch =
        List.of(
            TransferRequest.transfer(a, b, 60, null),
            TransferRequest.transfer(a, b, 30, null),
            TransferRequest.transfer(a, b, 20, null));
    assertThatThrownBy(() -> await(ledger.transfers.batch(owner, batch)))
        .isInstanceOfSatisfying(
            BatchItemException.class,
            e -> {
              assertThat(e.index()).isEqualTo(2);
              assertThat(e.itemFailure().code()).isEqualTo("insufficient-funds");
            });
    assertThat(account(a).balance()).isEqualTo(100);
    assertThat(account(b).balance()).isZero();
    assertThat(await(ledger.transfers.batch(owner, batch.subList(0, 2))).value()).hasSize(2);
    assertThat(account(b).balance()).isEqualTo(90);
  }

  // A batch locks everything it touches first, in id order: its accounts, their settlement shards
  // and the payees of its payers' overdue reservations (which booking releases first). Waiting
  // for such a payee, whose id sorts before the payer's, it must not already hold the payer: a
  // group, locking in id order too, could hold the payee and wait for the payer, a deadlock.
  @Test
  void aBatchWaitingForAnOverduePayeeDoesNotHoldItsPayerYet() throws Exception {
    // The payee is whichever of two new accounts sorts first in PostgreSQL (ids made in the same
    // millisecond may come in either order).
    UUID first = ledger.openAccount(owner, "USD", 0);
    UUID second = ledger.openAccount(owner, "USD", 0);
    boolean firstSortsFirst =
        ledger.query("SELECT '" + first + "'::uuid < '" + second + "'::uuid").get(0).getBoolean(0);
    UUID payee = firstSortsFirst ? first : second;
    UUID payer = firstSortsFirst ? second : first;
    UUID other = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, payer, 100);
    await(
        ledger.transfers.move(
            owner, TransferRequest.pending(payer, payee, 80, "held", Duration.ofSeconds(1))));
    Thread.sleep(1_200);
    SqlConnection holder = await(ledger.pools.primary().getConnection());
    SqlConnection probe = await(ledger.pools.primary().getConnection());
    try {
      int holderPid =
          await(holder.query("SELECT pg_backend_pid()").execute()).iterator().next().getInteger(0);
      Transaction held = await(holder.begin());
      await(holder.query("SELECT 1 FROM accounts WHERE id = '" + payee + "' FOR UPDATE").execute());
      Future<?> batch =
          ledger.transfers.batch(owner, List.of(TransferRequest.transfer(payer, other, 90, null)));
      awaitSomeoneBlockedBy(holderPid);
      // The batch waits for the payee; the payer must still be free.
      Transaction probing = await(probe.begin());
      await(
          probe
              .query("SELECT 1 FROM accounts WHERE id = '" + payer + "' FOR UPDATE NOWAIT")
              .execute());
      await(probing.rollback());
      await(held.commit());
      await(batch);
      assertThat(account(other).balance()).isEqualTo(90);
      assertThat(account(payee).balance()).isZero();
    } finally {
      holder.close();
      probe.close();
    }
  }

  private void awaitSomeoneBlockedBy(int pid) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (!ledger
          .query("SELECT 1 FROM pg_stat_activity WHERE " + pid + " = ANY (pg_blocking_pids(pid))")
          .isEmpty()) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("the batch never waited for the held lock");
  }

  @Test
  void rulesAnswerWithTheContractsCodes() {
    UUID usd = ledger.openAccount(owner, "USD", 0);
    UUID eur = ledger.openAccount(owner, "EUR", 0);
    UUID stranger = ledger.openAccount(ledger.newUser(), "USD", 0);
    ledger.deposit(owner, usd, 100);
    assertThatThrownBy(
            () -> await(ledger.transfers.move(owner, TransferRequest.transfer(usd, eur, 1, null))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("currency-mismatch"));
    assertThatThrownBy(
            () -> await(ledger.transfers.move(owner, TransferRequest.transfer(usd, usd, 1, null))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("same-account"));
    assertThatThrownBy(
            () ->
                await(
                    ledger.transfers.move(owner, TransferRequest.transfer(stranger, usd, 1, null))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("not-found"));
    assertThatThrownBy(
            () -> await(ledger.transfers.move(owner, TransferRequest.withdrawal(usd, 101, null))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("insufficient-funds"));
    // The settlement account (a deposit's counterparty) takes no transfers.
    UUID settlement =
        await(ledger.entries.page(owner, usd, null, 1, ConsistencyToken.LATEST))
            .get(0)
            .counterpartyAccountId();
    assertThatThrownBy(
            () ->
                await(
                    ledger.transfers.move(
                        owner, TransferRequest.transfer(usd, settlement, 1, null))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("not-found"));
    // Paying a stranger is allowed; the stranger cannot see the payer's account.
    await(ledger.transfers.move(owner, TransferRequest.transfer(usd, stranger, 10, null)));
    assertThatThrownBy(
            () -> await(ledger.accounts.get(UUID.randomUUID(), usd, ConsistencyToken.NONE)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("not-found"));
  }
}
