package dev.coffer.ledger;

import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.idempotency.IdempotencyRecords;
import dev.coffer.ledger.transfer.Sweep;
import dev.coffer.ledger.transfer.TransferService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ledger's background jobs. Every instance runs them; each is safe to run concurrently (the
 * sweeper re-checks each transfer under its lock, partitions are made under an advisory lock).
 */
public final class LedgerMaintenance {
  private static final Logger LOG = Logger.getLogger(LedgerMaintenance.class.getName());
  // Accounts stay locked for a whole batch: small enough to be brief, large enough to keep up.
  private static final int EXPIRY_BATCH = 200;
  // The longest the sweeper sleeps, and the shortest (a due transfer another sweeper holds is
  // not polled for in a tight loop).
  private static final Duration SWEEP_PERIOD = Duration.ofSeconds(1);
  private static final long MIN_SWEEP_DELAY_MS = 20;

  private final Vertx vertx;
  private final Pool primary;
  private final TransferService transfers;
  private final ReadRouter reads;
  private final Duration idempotencyRetention;
  private volatile boolean stopped;
  private volatile BiConsumer<Set<UUID>, ConsistencyToken> expired = (accounts, token) -> {};
  private long samplingTimer;

  public LedgerMaintenance(
      Vertx vertx,
      Pool primary,
      TransferService transfers,
      ReadRouter reads,
      Duration idempotencyRetention) {
    this.vertx = vertx;
    this.primary = primary;
    this.transfers = transfers;
    this.reads = reads;
    this.idempotencyRetention = idempotencyRetention;
  }

  /** Starts every job on its period. */
  public void start() {
    samplingTimer = reads.startSampling(vertx, Duration.ofSeconds(1));
    sweepIn(SWEEP_PERIOD.toMillis());
    every(Duration.ofHours(6), "create entry partitions", this::ensurePartitions);
    every(
        Duration.ofMinutes(10),
        "purge idempotency keys",
        () ->
            IdempotencyRecords.purge(primary, idempotencyRetention)
                .onSuccess(n -> LOG.fine("purged " + n + " idempotency keys")));
    ensurePartitions();
  }

  /**
   * Tells {@code listener} of every batch of expiries: the accounts it touched and its commit's
   * token, so that they can be announced like a client's write (the stream's bus).
   */
  public void onExpired(BiConsumer<Set<UUID>, ConsistencyToken> listener) {
    this.expired = listener;
  }

  // The sweeper wakes when the next pending transfer falls due (at most a period later), so the
  // journal records an expiry moments after it, not up to a period later.
  private void sweepIn(long delayMs) {
    vertx.setTimer(
        Math.max(MIN_SWEEP_DELAY_MS, Math.min(SWEEP_PERIOD.toMillis(), delayMs)),
        id -> {
          if (stopped) {
            return;
          }
          Future<Long> run;
          try {
            run = sweepBacklog(0);
          } catch (RuntimeException e) {
            run = Future.failedFuture(e);
          }
          run.onComplete(
              ar -> {
                if (ar.failed()) {
                  LOG.log(Level.WARNING, "expiring pending transfers failed; retrying", ar.cause());
                }
                sweepIn(ar.succeeded() ? ar.result() : SWEEP_PERIOD.toMillis());
              });
        });
  }

  // Batch after batch while batches come back full, so that the sweeper keeps up with a flood of
  // short pending transfers instead of taking one batch a second. Answers the milliseconds until
  // the next transfer falls due.
  private Future<Long> sweepBacklog(int expiredSoFar) {
    if (stopped) {
      return Future.succeededFuture(SWEEP_PERIOD.toMillis());
    }
    return transfers
        .sweepDue(EXPIRY_BATCH)
        .compose(
            committed -> {
              Sweep sweep = committed.value();
              if (!sweep.accounts().isEmpty()) {
                expired.accept(Set.copyOf(sweep.accounts()), committed.token());
              }
              int total = expiredSoFar + sweep.expired();
              if (sweep.expired() == EXPIRY_BATCH) {
                return sweepBacklog(total);
              }
              if (total > 0) {
                LOG.info("expired " + total + " pending transfers");
              }
              return Future.succeededFuture(sweep.nextDueMs());
            });
  }

  private Future<?> ensurePartitions() {
    return primary
        .query("SELECT coffer_ensure_entry_partitions((now() AT TIME ZONE 'UTC')::date, 3)")
        .execute();
  }

  // A job runs again only after its last run ended, so a slow database never piles runs up.
  private void every(Duration period, String name, Supplier<Future<?>> job) {
    vertx.setTimer(
        period.toMillis(),
        id -> {
          if (stopped) {
            return;
          }
          Future<?> run;
          try {
            run = job.get();
          } catch (RuntimeException e) {
            run = Future.failedFuture(e);
          }
          run.onComplete(
              ar -> {
                if (ar.failed()) {
                  LOG.log(Level.WARNING, name + " failed; retrying in " + period, ar.cause());
                }
                every(period, name, job);
              });
        });
  }

  /** Stops every job (a run under way finishes; none starts after it). */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(samplingTimer);
  }
}
