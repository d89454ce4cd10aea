package dev.coffer.api.export;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What exports do: rows written (by format), exports open now, and how often an export paused its
 * database cursor because the client's socket was full (backpressure at work, not an error).
 */
public final class ExportMetrics implements MeterBinder {
  private final AtomicInteger open = new AtomicInteger();
  private final Map<EntryFormat, Counter> rows = new EnumMap<>(EntryFormat.class);
  private Counter pauses;

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

  void paused() {
    if (pauses != null) {
      pauses.increment();
    }
  }
}
