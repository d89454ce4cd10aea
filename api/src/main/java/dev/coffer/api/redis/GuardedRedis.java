package dev.coffer.api.redis;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Every call to Redis on a request's path goes through here: it has a time limit, and after a run
 * of failures a circuit breaker stops calling Redis at all (failing at once instead of waiting for
 * time-outs), then lets one call through now and then to see whether Redis is back.
 */
public final class GuardedRedis implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(GuardedRedis.class.getName());

  private final Redis redis;
  private final CircuitBreaker breaker;

  public GuardedRedis(Vertx vertx, Redis redis, Duration timeout) {
    this.redis = redis;
    this.breaker =
        CircuitBreaker.create(
                "redis",
                vertx,
                new CircuitBreakerOptions()
                    .setTimeout(timeout.toMillis())
                    .setMaxFailures(5)
                    .setFailuresRollingWindow(10_000)
                    .setResetTimeout(1_000)
                    .setNotificationAddress(null))
            .openHandler(v -> LOG.warning("Redis circuit open: failing fast, probing every second"))
            .halfOpenHandler(v -> LOG.info("Redis circuit half-open: probing"))
            .closeHandler(v -> LOG.info("Redis circuit closed: Redis answers again"));
  }

  /** The client itself, for start-up work that must not trip the breaker. */
  public Redis raw() {
    return redis;
  }

  /** Whether the breaker fails calls at once (open; half-open while one probe is out). */
  public boolean open() {
    return breaker.state() != CircuitBreakerState.CLOSED;
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
    return breaker.execute(command);
  }
}
