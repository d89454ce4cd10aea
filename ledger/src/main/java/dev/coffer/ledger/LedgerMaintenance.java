package dev.coffer.ledger;

import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.idempotency.IdempotencyRecords;
import dev.coffer.ledger.transfer.TransferService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
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

  private final Vertx vertx;
  private final Pool primary;
  private final TransferService transfers;
  private final ReadRouter reads;
  private final Duration idempotencyRetention;
  private volatile boolean stopped;
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
    every(
        Duration.ofSeconds(1),
        "expire pending transfers",
        () ->
            expireBacklog(0)
                .onSuccess(
                    n -> {
                      if (n > 0) {
                        LOG.info("expired " + n + " pending transfers");
                      }
                    }));
    every(Duration.ofHours(6), "create entry partitions", this::ensurePartitions);
    every(
        Duration.ofMinutes(10),
        "purge idempotency keys",
        () ->
            IdempotencyRecords.purge(primary, idempotencyRetention)
                .onSuccess(n -> LOG.fine("purged " + n + " idempotency keys")));
    ensurePartitions();
  }

  // Batch after batch while batches come back full, so that the sweeper keeps up with a flood of
  // short pending transfers instead of taking one batch a second.
  private Future<Integer> expireBacklog(int expiredSoFar) {
    if (stopped) {
      return Future.succeededFuture(expiredSoFar);
    }
    return transfers
        .expireDue(EXPIRY_BATCH)
        .compose(
            n ->
                n == EXPIRY_BATCH
                    ? expireBacklog(expiredSoFar + n)
                    : Future.succeededFuture(expiredSoFar + n));
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
