package dev.coffer.api.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Measures how long event loops are kept busy: a timer due every 100 ms that fires late was held up
 * by whatever ran on its loop. Each HTTP verticle watches its own loop.
 */
final class EventLoopDelayProbe implements MeterBinder {
  private static final long PERIOD_MS = 100;
  private volatile Timer delay;

  @Override
  public void bindTo(MeterRegistry registry) {
    delay =
        Timer.builder("coffer.event.loop.delay")
            .description(
                "how late a 100 ms timer fires on an event loop: time the loop was blocked")
            .register(registry);
  }

  /** Starts probing the event loop of the calling verticle's context. */
  void watch(Vertx vertx) {
    long[] due = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS)};
    vertx.setPeriodic(
        PERIOD_MS,
        id -> {
          long now = System.nanoTime();
          Timer timer = delay;
          if (timer != null) {
            timer.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
          }
          due[0] = now + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
        });
  }
}
