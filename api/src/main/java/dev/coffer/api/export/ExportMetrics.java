package dev.coffer.api.export;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What exports do: rows written (by format), exports open now, how often an export paused its
 * database cursor because the client's socket was full (backpressure at work, not an error), and
 * what the per-user limits did: exports cut for stalling, throttled, refused.
 */
public final class ExportMetrics implements MeterBinder {
  private final AtomicInteger open = new AtomicInteger();
  private final Map<EntryFormat, Counter> rows = new EnumMap<>(EntryFormat.class);
  private Counter pauses;
  private Counter stalls;
  private Counter throttles;
  private Counter refusals;

  @Override
  public void bindTo(MeterRegistry registry) {
    for (EntryFormat format : EntryFormat.values()) {
      rows.put(
          format,
          Counter.builder("coffer.export.rows")
              .description("Journal entries written by exports")
              .tag("format", format.label())
              .register(registry));
    }
    pauses =
        Counter.builder("coffer.export.pauses")
            .description("Times an export paused its cursor because the client read too slowly")
            .register(registry);
    stalls =
        Counter.builder("coffer.export.stalls")
            .description(
                "Exports cut because their client took nothing for the stall timeout"
                    + " (COFFER_EXPORT_STALL_TIMEOUT_MS)")
            .register(registry);
    throttles =
        Counter.builder("coffer.export.throttles")
            .description("Times an export waited because its user's bytes per minute were spent")
            .register(registry);
    refusals =
        Counter.builder("coffer.export.refusals")
            .description("Exports refused (429) because their user was at a limit")
            .register(registry);
    Gauge.builder("coffer.exports.open", open, AtomicInteger::get)
        .description("Exports being streamed now")
        .register(registry);
  }

  void opened() {
    open.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }

  void rows(EntryFormat format, int count) {
    Counter counter = rows.get(format);
    if (counter != null) {
      counter.increment(count);
    }
  }

  void stalled() {
    if (stalls != null) {
      stalls.increment();
    }
  }

  void throttled() {
    if (throttles != null) {
      throttles.increment();
    }
  }

  void refused() {
    if (refusals != null) {
      refusals.increment();
    }
  }

  void paused() {
    if (pauses != null) {
      pauses.increment();
    }
  }
}
