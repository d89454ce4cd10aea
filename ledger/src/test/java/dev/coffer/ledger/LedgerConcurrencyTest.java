package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 32 concurrent writers, 10,240 random operations over 12 accounts, then every invariant of the
 * ledger is checked. Throughput is logged for the record, never asserted.
 */
@ExtendWith(LedgerExtension.class)
class LedgerConcurrencyTest {
  private static final Logger LOG = Logger.getLogger(LedgerConcurrencyTest.class.getName());
  private static final int WRITERS = 32;
  private static final int OPS_PER_WRITER = 320;
  private LedgerFixture ledger;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
  }

  @Test
  void randomConcurrentTrafficKeepsEveryInvariant() {
    run(false);
  }

  @Test
  void transfersIntoOneHotAccountKeepEveryInvariant() {
    run(true);
  }

  private void run(boolean hot) {
    UUID owner = ledger.newUser();
    UUID merchantOwner = ledger.newUser();
    List<UUID> accounts = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      UUID account = ledger.openAccount(owner, "EUR", i % 3 == 0 ? 5_000 : 0);
      ledger.deposit(owner, account, hot ? 2_000_000 : 100_000);
      accounts.add(account);
    }
    UUID merchant = ledger.openAccount(merchantOwner, "EUR", 0);
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

    long started = System.nanoTime();
    List<Future<Void>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      writers.add(
          writer(
              new SplittableRandom(w * 7919L + (hot ? 1 : 0)),
              owner,
              accounts,
              merchant,
              hot,
              outcomes,
              0));
    }
    await(Future.all(writers));
    double seconds = (System.nanoTime() - started) / 1e9;
    int ops = WRITERS * OPS_PER_WRITER;
    LOG.info(
        String.format(
            "%s: %d operations in %.2f s = %.0f ops/s; outcomes %s",
            hot ? "hot account" : "uniform", ops, seconds, ops / seconds, outcomes));

    ledger.assertInvariants();
    assertThat(outcomes.get("ok").get()).as("most operations succeed").isGreaterThan(ops / 2);
    assertThat(outcomes.keySet()).allMatch(k -> k.equals("ok") || k.startsWith("rule:"));
  }

  private Future<Void> writer(
      SplittableRandom random,
      UUID owner,
      List<UUID> accounts,
      UUID merchant,
      boolean hot,
      Map<String, AtomicInteger> outcomes,
      int done) {
    if (done == OPS_PER_WRITER) {
      return Future.succeededFuture();
    }
    return operation(random, owner, accounts, merchant, hot)
        .transform(
            ar -> {
              String outcome =
                  ar.succeeded()
                      ? "ok"
                      : ar.cause() instanceof LedgerException le
                          ? "rule:" + le.code()
                          : "error:" + ar.cause();
              outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
              return Future.<Void>succeededFuture();
            })
        .compose(v -> writer(random, owner, accounts, merchant, hot, outcomes, done + 1));
  }

  private Future<?> operation(
      SplittableRandom random, UUID owner, List<UUID> accounts, UUID merchant, boolean hot) {
    UUID from = accounts.get(random.nextInt(accounts.size()));
    UUID to =
        hot && random.nextInt(10) < 8 ? merchant : accounts.get(random.nextInt(accounts.size()));
    if (to.equals(from)) {
      to = merchant;
    }
    long amount = 1 + random.nextInt(3_000);
    int pick = random.nextInt(10);
    if (pick < 6) {
      return ledger.transfers.move(owner, TransferRequest.transfer(from, to, amount, null));
    }
    if (pick < 7) {
      return ledger.transfers.move(owner, TransferRequest.withdrawal(from, amount, null));
    }
    if (pick < 8) {
      return ledger.transfers.move(owner, TransferRequest.deposit(from, amount, null));
    }
    TransferStatus settle = pick < 9 ? TransferStatus.POSTED : TransferStatus.VOIDED;
    return ledger
        .transfers
        .move(owner, TransferRequest.pending(from, to, amount, null, Duration.ofMinutes(5)))
        .compose(t -> ledger.transfers.settle(owner, t.value().id(), settle));
  }
}
