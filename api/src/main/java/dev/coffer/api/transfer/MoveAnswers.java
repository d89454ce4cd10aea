package dev.coffer.api.transfer;

import dev.coffer.api.account.AccountCache;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.idempotency.Outcome;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * How a committed move (a transfer, a settle, a transaction) is answered: the stream is told which
 * accounts it touched, their cached balances are dropped, and the stored response is sent with the
 * commit's consistency token (a replay touches nothing and is counted).
 */
final class MoveAnswers {
  private final WriteReceipts receipts;
  private final AccountCache cache;
  private final MoneyMoved moneyMoved;
  private final LongAdder replays = new LongAdder();

  MoveAnswers(WriteReceipts receipts, AccountCache cache, MoneyMoved moneyMoved) {
    this.receipts = receipts;
    this.cache = cache;
    this.moneyMoved = moneyMoved;
  }

  /** Requests answered with the stored response of an earlier one. */
  LongAdder replays() {
    return replays;
  }

  // Cached balances of the accounts a write touched are dropped before the write is answered.
  Future<Void> answer(
      RoutingContext ctx, Committed<? extends Outcome<?>> committed, Set<UUID> touched) {
    Outcome<?> outcome = committed.value();
    if (outcome.replayed()) {
      replays.increment();
    } else if (!touched.isEmpty()) {
      moneyMoved.committed(touched, committed.token());
    }
    return cache
        .invalidate(outcome.replayed() ? Set.of() : touched)
        .compose(
            v ->
                receipts.send(
                    ctx,
                    committed.token(),
                    outcome.response().status(),
                    Buffer.buffer(outcome.response().body()),
                    outcome.replayed()));
  }
}
