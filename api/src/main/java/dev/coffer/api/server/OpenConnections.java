package dev.coffer.api.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The instance's bound on open client connections, shared by every event loop: each connection
 * holds buffers and a place in a load balancer's pool, so past the bound new ones are closed at
 * once rather than allowed to pile up.
 */
final class OpenConnections implements MeterBinder {
  private final int max;
  private final AtomicInteger current = new AtomicInteger();
  private final LongAdder refused = new LongAdder();

  OpenConnections(int max) {
    this.max = max;
  }

  /** Takes a place, or answers false (and counts the connection as refused) when none is left. */
  boolean tryOpen() {
    if (current.incrementAndGet() > max) {
      current.decrementAndGet();
      refused.increment();
      return false;
    }
    return true;
  }

  void closed() {
    current.decrementAndGet();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("coffer.http.open.connections", current, AtomicInteger::get)
        .description("client connections open on this instance")
        .register(registry);
    FunctionCounter.builder("coffer.http.refused.connections", refused, LongAdder::sum)
        .description("connections closed at once because the instance was at its connection cap")
        .register(registry);
  }
}
