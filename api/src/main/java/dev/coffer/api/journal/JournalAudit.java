package dev.coffer.api.journal;

import dev.coffer.ledger.journal.JournalVerifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Re-checks recently written journal entries on a period (on every instance: the check only reads,
 * from the replica) and exports what it found: a journal edited behind the ledger's back shows as
 * {@code coffer_journal_verify_failures_total} going up, and a stalled audit as {@code
 * coffer_journal_last_verified_timestamp_seconds} falling behind.
 */
public final class JournalAudit implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(JournalAudit.class.getName());

  private final Vertx vertx;
  private final JournalVerifier verifier;
  private final JournalSettings settings;
  private final AtomicLong brokenInLastRun = new AtomicLong();
  private final AtomicLong lastVerifiedEpochSeconds = new AtomicLong();
  private Counter failures;
  private Counter checked;
  private Counter errors;
  private volatile boolean stopped;

  public JournalAudit(Vertx vertx, JournalVerifier verifier, JournalSettings settings) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.settings = settings;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    failures =
        Counter.builder("coffer.journal.verify.failures")
            .description("Audit runs that found at least one entry whose hash does not match")
            .register(registry);
    checked =
        Counter.builder("coffer.journal.verified.entries")
            .description("Entries re-checked by the audit (an entry is checked in several runs)")
            .register(registry);
    errors =
        Counter.builder("coffer.journal.audit.errors")
            .description("Audit runs that could not complete (the database did not answer)")
            .register(registry);
    Gauge.builder("coffer.journal.broken.entries", brokenInLastRun, AtomicLong::get)
        .description("Broken entries the last audit run found in its window")
        .register(registry);
    Gauge.builder(
            "coffer.journal.last.verified.timestamp", lastVerifiedEpochSeconds, AtomicLong::get)
        .baseUnit("seconds")
        .description("When the last audit run completed (Unix time)")
        .register(registry);
  }

  /** Starts the periodic audit. */
  public void start() {
    schedule();
  }

  /** Stops it (a run under way finishes; none starts after it). */
  public void stop() {
    stopped = true;
  }

  // The next run is scheduled only once this one ended: a slow database never piles runs up.
  private void schedule() {
    vertx.setTimer(
        settings.auditPeriod().toMillis(),
        id -> {
          if (stopped) {
            return;
          }
          verifier
              .auditRecent(settings.auditWindow())
              .onSuccess(
                  audit -> {
                    checked.increment(audit.checked());
                    brokenInLastRun.set(audit.broken());
                    lastVerifiedEpochSeconds.set(System.currentTimeMillis() / 1000);
                    if (audit.broken() > 0) {
                      failures.increment();
                      LOG.severe(
                          "journal audit: "
                              + audit.broken()
                              + " entries do not match their hash chain, first: "
                              + audit.firstBroken());
                    }
                  })
              .onFailure(
                  e -> {
                    errors.increment();
                    LOG.log(Level.WARNING, "journal audit failed; retrying next period", e);
                  })
              .onComplete(ar -> schedule());
        });
  }
}
