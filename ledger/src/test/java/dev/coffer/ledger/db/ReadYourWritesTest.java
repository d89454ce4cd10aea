package dev.coffer.ledger.db;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A read given a write's token never sees the world before that write, replica or not. */
@ExtendWith(LedgerExtension.class)
class ReadYourWritesTest {
  private LedgerFixture ledger;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
  }

  @Test
  void everyReadWithTheTokenOfAWriteSeesIt() {
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "CHF", 0);
    for (int i = 1; i <= 300; i++) {
      Committed<?> write =
          await(ledger.transfers.move(owner, TransferRequest.deposit(account, 1, null)));
      Account read = await(ledger.accounts.get(owner, account, write.token()));
      assertThat(read.balance()).as("read right after deposit %d", i).isEqualTo(i);
      assertThat(await(ledger.entries.page(owner, account, null, 1, write.token())).get(0).seq())
          .isEqualTo(i);
    }
  }

  @Test
  void manyReadsInFlightAtOnceEachGetTheirOwnAnswer() {
    // Reads on the replica share connections, several in flight on each (pipelining): a mix-up of
    // answers would show as an account with another's balance, or a not-found among the finds.
    UUID owner = ledger.newUser();
    List<UUID> accounts = new ArrayList<>();
    Committed<?> last = null;
    for (int i = 1; i <= 20; i++) {
      UUID account = ledger.openAccount(owner, "CHF", 0);
      last = await(ledger.transfers.move(owner, TransferRequest.deposit(account, i, null)));
      accounts.add(account);
    }
    ConsistencyToken token = last.token();
    awaitReplayed(token); // so that every read below is served by the replica's pipelining client
    List<Future<Account>> reads = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (UUID account : accounts) {
        reads.add(ledger.accounts.get(owner, account, token));
      }
      reads.add(ledger.accounts.get(owner, UUID.randomUUID(), token));
    }
    await(Future.join(reads).otherwiseEmpty()); // every read done, the not-founds among them
    for (int i = 0; i < reads.size(); i++) {
      int slot = i % (accounts.size() + 1);
      if (slot == accounts.size()) {
        assertThat(reads.get(i).failed()).isTrue();
        assertThat(reads.get(i).cause()).hasMessageContaining("no such account");
      } else {
        assertThat(reads.get(i).result().id()).isEqualTo(accounts.get(slot));
        assertThat(reads.get(i).result().balance()).isEqualTo(slot + 1);
      }
    }
  }

  private void awaitReplayed(ConsistencyToken token) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      String replayed =
          await(ledger.pools.replica().query("SELECT pg_last_wal_replay_lsn()::text").execute())
              .iterator()
              .next()
              .getString(0);
      if (Long.compareUnsigned(ConsistencyToken.fromPgLsn(replayed).lsn(), token.lsn()) >= 0) {
        return;
      }
      assertThat(System.nanoTime()).as("the replica replays the writes").isLessThan(deadline);
      LockSupport.parkNanos(10_000_000);
    }
  }

  @Test
  void aNotFoundAnswerFromTheReplicaIsAnAnswerNotAnOutage() {
    UUID stranger = ledger.newUser();
    Throwable failure =
        ledger
            .accounts
            .get(stranger, UUID.randomUUID(), ConsistencyToken.NONE)
            .toCompletionStage()
            .handle((ok, e) -> e)
            .toCompletableFuture()
            .join();
    assertThat(failure).hasMessageContaining("no such account");
    // Had it been taken for a broken replica, reads would go to the primary for a while.
    assertThat(ledger.reads.replicaUsable()).isTrue();
  }

  @Test
  void readsStillSucceedWithTheReplicaStopped() {
    TestStack stack = TestStack.get();
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "CHF", 0);
    Committed<?> write =
        await(ledger.transfers.move(owner, TransferRequest.deposit(account, 42, null)));
    if (!stack.controllable()) {
      return;
    }
    stack.script("stop", "replica");
    try {
      for (int i = 0; i < 20; i++) {
        assertThat(await(ledger.accounts.get(owner, account, ConsistencyToken.NONE)).balance())
            .isEqualTo(42);
        assertThat(await(ledger.accounts.get(owner, account, write.token())).balance())
            .isEqualTo(42);
      }
    } finally {
      stack.script("up");
    }
  }
}
