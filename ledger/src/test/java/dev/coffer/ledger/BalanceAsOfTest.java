package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.balance.Balance;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The balance as of a time or an entry, read from the journal's recorded state. */
@ExtendWith(LedgerExtension.class)
class BalanceAsOfTest {
  private static final ConsistencyToken LATEST = ConsistencyToken.LATEST;
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

  private Balance at(UUID account, OffsetDateTime at) {
    return await(ledger.balances.at(owner, account, at, LATEST));
  }

  private Balance afterSeq(UUID account, long seq) {
    return await(ledger.balances.afterSeq(owner, account, seq, LATEST));
  }

  private OffsetDateTime bookedAt(UUID account, long seq) {
    return ledger
        .query(
            "SELECT booked_at FROM entries WHERE account_id = '" + account + "' AND seq = " + seq)
        .get(0)
        .getOffsetDateTime(0);
  }

  @Test
  void everyEntryRecordsTheWholeStateAfterIt() {
    UUID a = ledger.openAccount(owner, "EUR", 50);
    UUID b = ledger.openAccount(owner, "EUR", 0);
    ledger.deposit(owner, a, 1_000); // a: seq 1
    Transfer held =
        await(
                ledger.transfers.move(
                    owner, TransferRequest.pending(a, b, 300, null, Duration.ofHours(1))))
            .value(); // a: seq 2
    await(ledger.transfers.move(owner, TransferRequest.transfer(a, b, 100, null))); // a: seq 3
    await(ledger.transfers.settle(owner, held.id(), TransferStatus.POSTED)); // a: seq 4

    assertThat(afterSeq(a, 0))
        .extracting(Balance::seq, Balance::balance, Balance::pendingDebits, Balance::available)
        .containsExactly(0L, 0L, 0L, 50L);
    assertThat(afterSeq(a, 1))
        .extracting(Balance::balance, Balance::pendingDebits, Balance::available)
        .containsExactly(1_000L, 0L, 1_050L);
    assertThat(afterSeq(a, 2))
        .extracting(Balance::balance, Balance::pendingDebits, Balance::available)
        .containsExactly(1_000L, 300L, 750L);
    assertThat(afterSeq(a, 3))
        .extracting(Balance::balance, Balance::pendingDebits, Balance::available)
        .containsExactly(900L, 300L, 650L);
    assertThat(afterSeq(a, 4))
        .extracting(Balance::balance, Balance::pendingDebits, Balance::available)
        .containsExactly(600L, 0L, 650L);
    assertThat(afterSeq(b, 1).pendingCredits()).isEqualTo(300);
    assertThat(afterSeq(b, 3))
        .extracting(Balance::balance, Balance::pendingCredits)
        .containsExactly(400L, 0L);
    assertThatThrownBy(() -> afterSeq(a, 5))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.error()).isEqualTo(LedgerError.NOT_FOUND));

    // As of each entry's booking time: the state after it; before the first, nothing.
    for (long seq = 1; seq <= 4; seq++) {
      assertThat(at(a, bookedAt(a, seq))).isEqualTo(afterSeq(a, seq));
    }
    assertThat(at(a, bookedAt(a, 1).minusNanos(1000)).seq()).isZero();
    assertThat(at(a, OffsetDateTime.now())).isEqualTo(afterSeq(a, 4));
    assertThat(await(ledger.balances.now(owner, a, LATEST)).balance()).isEqualTo(600);

    // Someone else's account is not found, by any form.
    UUID stranger = ledger.newUser();
    assertThatThrownBy(() -> await(ledger.balances.afterSeq(stranger, a, 1, LATEST)))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.error()).isEqualTo(LedgerError.NOT_FOUND));
    assertThatThrownBy(() -> await(ledger.balances.at(stranger, a, OffsetDateTime.now(), LATEST)))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.error()).isEqualTo(LedgerError.NOT_FOUND));
  }

  /**
   * A transfer that started first but waited for the account's lock is numbered after one that
   * started later: it is booked when it was applied, so "as of T" is always a prefix of the
   * journal.
   */
  @Test
  void aTransferThatWaitedForTheLockIsBookedWhenItWasApplied() throws Exception {
    UUID payer = ledger.openAccount(owner, "EUR", 0);
    UUID other = ledger.openAccount(owner, "EUR", 0);
    UUID payee = ledger.openAccount(owner, "EUR", 0);
    ledger.deposit(owner, payer, 1_000);
    ledger.deposit(owner, other, 1_000);

    SqlConnection holder = await(ledger.pools.primary().getConnection());
    try {
      await(holder.query("BEGIN").execute());
      await(
          holder
              .preparedQuery("SELECT 1 FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE")
              .execute(Tuple.of(new UUID[] {other, payee})));
      // Starts now (its created_at), then waits for payee's lock.
      Future<?> waiting =
          ledger.transfers.move(owner, TransferRequest.transfer(payer, payee, 10, null));
      awaitLockWait();
      // Starts later, but is applied first, in the lock holder's transaction.
      await(
          holder
              .preparedQuery(
                  "SELECT * FROM coffer_move($1, 'transfer', $2, $3, 20, $4, NULL, NULL)")
              .execute(Tuple.of(UUID.randomUUID(), other, payee, owner)));
      await(holder.query("COMMIT").execute());
      await(waiting);
    } finally {
      await(holder.close());
    }

    List<Row> rows =
        ledger.query(
            "SELECT seq, amount, created_at, booked_at FROM entries WHERE account_id = '"
                + payee
                + "' ORDER BY seq");
    assertThat(rows).extracting(r -> r.getLong("amount")).containsExactly(20L, 10L);
    OffsetDateTime laterStart = rows.get(0).getOffsetDateTime("created_at");
    OffsetDateTime earlierStart = rows.get(1).getOffsetDateTime("created_at");
    assertThat(earlierStart).isBefore(laterStart);
    assertThat(rows.get(1).getOffsetDateTime("booked_at")).isEqualTo(laterStart);
    // As of the waiting transfer's own start, neither had been applied to the payee.
    assertThat(at(payee, earlierStart).seq()).isZero();
    assertThat(at(payee, laterStart))
        .extracting(Balance::seq, Balance::balance)
        .containsExactly(2L, 30L);
  }

  private void awaitLockWait() throws InterruptedException {
    while (ledger
        .query(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE '%coffer_book%'")
        .isEmpty()) {
      Thread.sleep(10);
    }
  }
}
