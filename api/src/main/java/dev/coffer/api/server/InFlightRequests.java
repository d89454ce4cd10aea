package dev.coffer.api.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The instance's bound on requests served at once, shared by every event loop: past it a request is
 * shed (503) at once rather than queued until everything times out.
 */
final class InFlightRequests implements MeterBinder {
  private final int max;
  private final AtomicInteger current = new AtomicInteger();
  private final LongAdder shed = new LongAdder();

  InFlightRequests(int max) {
    this.max = max;
  }

  /** Takes a place, or answers false (and counts the request as shed) when none is left. */
  boolean tryAcquire() {
    if (current.incrementAndGet() > max) {
      current.decrementAndGet();
      shed.increment();
      return false;
    }
    return true;
  }

  void release() {
    current.decrementAndGet();
  }

  int current() {
    return current.get();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("coffer.http.in.flight.requests", current, AtomicInteger::get)
        .description("requests being served, health and metrics excepted")
        .register(registry);
    FunctionCounter.builder("coffer.http.shed.requests", shed, LongAdder::sum)
        .description("requests refused with 503 because the instance was at its in-flight bound")
        .register(registry);
  }
}
