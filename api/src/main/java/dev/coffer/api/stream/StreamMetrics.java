package dev.coffer.api.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the stream measures: connections, subscriptions, messages, closes, reconciles, delay. */
final class StreamMetrics implements MeterBinder {
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger subscriptions = new AtomicInteger();
  final LongAdder messages = new LongAdder();
  final LongAdder slowConsumerCloses = new LongAdder();
  final LongAdder reconciledEntries = new LongAdder();
  private volatile Timer commitToSend;

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("coffer.stream.connections", connections, AtomicInteger::get)
        .description("open /v1/stream WebSocket connections")
        .register(registry);
    Gauge.builder("coffer.stream.subscriptions", subscriptions, AtomicInteger::get)
        .description("accounts watched, summed over connections")
        .register(registry);
    FunctionCounter.builder("coffer.stream.messages", messages, LongAdder::sum)
        .description("entry messages sent to stream clients")
        .register(registry);
    FunctionCounter.builder(
            "coffer.stream.slow.consumer.closes", slowConsumerCloses, LongAdder::sum)
        .description("connections closed with 1008 because they read too slowly")
        .register(registry);
    FunctionCounter.builder("coffer.stream.reconciled.entries", reconciledEntries, LongAdder::sum)
        .description("entries found in the ledger that no bus message announced (a gap filled)")
        .register(registry);
    commitToSend =
        Timer.builder("coffer.stream.commit.to.send")
            // Its buckets are every timer's: CofferMetrics' registry gives them.
            .description("from a write's commit to its entry being written to a stream client")
            .register(registry);
  }

  void sentSince(long committedAtMillis) {
    Timer timer = commitToSend;
    if (timer != null && committedAtMillis > 0) {
      timer.record(
          Math.max(0, System.currentTimeMillis() - committedAtMillis), TimeUnit.MILLISECONDS);
    }
  }
}
