package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pending transfer past its expiry holds nothing, at once, whatever the sweeper's backlog; and
 * sweepers share a backlog instead of queueing on it.
 */
@ExtendWith(LedgerExtension.class)
class ExpiryTest {
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

  @Test
  void pastItsExpiryAReservationIsReleasedForReadsAndMovesBeforeAnySweep() throws Exception {
    UUID a = ledger.openAccount(owner, "USD", 0);
    UUID b = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, a, 100);
    Transfer pending =
        await(
                ledger.transfers.move(
                    owner, TransferRequest.pending(a, b, 100, null, Duration.ofSeconds(1))))
            .value();
    assertThat(account(a).available()).isZero();
    Thread.sleep(1100); // past its expiry; no sweeper runs in this test

    assertThat(await(ledger.transfers.get(owner, pending.id(), ConsistencyToken.LATEST)).status())
        .isEqualTo(TransferStatus.EXPIRED);
    assertThat(account(a).pendingDebits()).isZero();
    assertThat(account(a).available()).isEqualTo(100);
    assertThat(account(b).pendingCredits()).isZero();
    // The whole balance can be spent again at once.
    Transfer spent =
        await(ledger.transfers.move(owner, TransferRequest.transfer(a, b, 100, null))).value();
    assertThat(spent.status()).isEqualTo(TransferStatus.POSTED);

    // When the sweeper comes by, it writes down what already was so.
    await(ledger.transfers.expireDue(1000));
    assertThat(account(a).balance()).isZero();
    assertThat(account(a).pendingDebits()).isZero();
    assertThat(account(b).balance()).isEqualTo(100);
  }

  @Test
  void concurrentSweepersShareTheBacklogWithoutDeadlockOrDoubleExpiry() throws Exception {
    List<UUID> accounts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      UUID account = ledger.openAccount(owner, "USD", 0);
      ledger.deposit(owner, account, 10_000);
      accounts.add(account);
    }
    List<Future<Committed<Transfer>>> moves = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // Pairs in every direction, so that batches lock overlapping accounts.
      UUID from = accounts.get(i % 6);
      UUID to = accounts.get((i % 6 + 1 + i % 5) % 6);
      moves.add(
          ledger.transfers.move(
              owner, TransferRequest.pending(from, to, 1 + i % 5, null, Duration.ofSeconds(1))));
      if (moves.size() % 50 == 0) {
        await(Future.all(moves)); // within the pool's wait queue
      }
    }
    await(Future.all(moves));
    List<UUID> mine = moves.stream().map(f -> f.result().value().id()).toList();
    Thread.sleep(1100);

    // Four sweepers at once, as four instances would run them, until nothing of ours is due.
    for (int round = 0; round < 20 && stillPending(mine) > 0; round++) {
      List<Future<Integer>> sweeps = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        sweeps.add(ledger.transfers.expireDue(50));
      }
      await(Future.all(sweeps)); // a deadlock would fail one of them
    }
    assertThat(stillPending(mine)).isZero();
    for (UUID account : accounts) {
      assertThat(account(account).pendingDebits()).isZero();
      assertThat(account(account).balance()).isEqualTo(10_000);
    }
  }

  private long stillPending(List<UUID> ids) {
    String list = ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
    return ledger
        .query("SELECT count(*) FROM transfers WHERE status = 'pending' AND id IN (" + list + ")")
        .get(0)
        .getLong(0);
  }
}
