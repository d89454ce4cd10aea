package dev.coffer.api.redis;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Every call to Redis on a request's path goes through here: it has a time limit, and when many of
 * the recent calls failed (at least 5, and at least half of those of the last 10 s) a circuit
 * breaker stops calling Redis at all (failing at once instead of waiting for time-outs), then lets
 * one call through every second to see whether Redis is back. A few slow calls among many good ones
 * (a cold JIT, a GC pause) fail alone and open nothing.
 */
public final class GuardedRedis implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(GuardedRedis.class.getName());
  private static final int MIN_FAILURES = 5;
  private static final double MIN_FAILURE_SHARE = 0.5;
  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final Duration OPEN_FOR = Duration.ofSeconds(1);
  // Refused calls all fail with this one exception: no stack trace to build thousands of times.
  private static final RuntimeException OPEN =
      new RuntimeException("the Redis circuit is open", null, false, false) {};

  private final Redis redis;
  private final long timeoutMs;
  private final FailureRateBreaker breaker;

  public GuardedRedis(Redis redis, Duration timeout) {
    this.redis = redis;
    this.timeoutMs = Math.max(1, timeout.toMillis());
    this.breaker =
        new FailureRateBreaker(
            MIN_FAILURES,
            MIN_FAILURE_SHARE,
            WINDOW,
            OPEN_FOR,
            System::nanoTime,
            GuardedRedis::logChange);
  }

  private static void logChange(FailureRateBreaker.State to) {
    switch (to) {
      case OPEN -> LOG.warning("Redis circuit open: failing fast, probing every second");
      case HALF_OPEN -> LOG.info("Redis circuit half-open: probing");
      case CLOSED -> LOG.info("Redis circuit closed: Redis answers again");
    }
  }

  /** The client itself, for start-up work that must not trip the breaker. */
  public Redis raw() {
    return redis;
  }

  /** Whether the breaker fails calls at once (open; half-open while one probe is out). */
  public boolean open() {
    return breaker.state() != FailureRateBreaker.State.CLOSED;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    // Alerting needs the breaker's state as a series: an open breaker is otherwise only a log line.
    Gauge.builder("coffer.redis.circuit.open", this, r -> r.open() ? 1 : 0)
        .description("1 while the Redis circuit breaker fails calls at once, else 0")
        .register(registry);
  }

  /** Runs {@code command} (one logical Redis operation) under the time limit and the breaker. */
  public <T> Future<T> call(Supplier<Future<T>> command) {
    FailureRateBreaker.Permit permit = breaker.acquire();
    if (permit == FailureRateBreaker.Permit.REFUSED) {
      return Future.failedFuture(OPEN);
    }
    Future<T> result;
    try {
      result = command.get().timeout(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Throwable e) {
      // Whatever the command throws, the permit is given back below (a probe's above all).
      result = Future.failedFuture(e);
    }
    return result.andThen(
        ar -> {
          if (ar.succeeded()) {
            breaker.succeeded(permit);
          } else {
            breaker.failed(permit);
          }
        });
  }
}
