package dev.coffer.sdk.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a request is sent again, and after how long: the one place the rules are written, for the
 * SDK and for anything that drives Coffer (load tests, chaos tests).
 *
 * <p>A request is retried only when sending it again cannot do anything twice: a GET or DELETE
 * (idempotent), or a POST that carries an {@code Idempotency-Key} (the service replays the first
 * answer). Those are retried on a connection failure (the answer may have been lost after the
 * write), 429, 409 {@code idempotency-request-in-progress} and any 5xx. Any other POST is retried
 * only when the service said it did nothing (429), or when no connection was made at all.
 *
 * <p>The wait is "full jitter" exponential back-off (a random time up to base * 2^(attempt-1),
 * capped), so that clients refused together do not come back together; never shorter than the
 * answer's {@code Retry-After}.
 */
public record RetryPolicy(
    int maxAttempts, Duration baseDelay, Duration maxDelay, DoubleSupplier random) {
  /** 5 attempts, 100 ms doubling up to 5 s. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5), RetryPolicy::uniform);

  /** One attempt: the caller handles every failure. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, () -> 0);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  /** What a request is, as far as retrying it goes. */
  public enum Safety {
    /** GET, HEAD, DELETE, or a POST with an Idempotency-Key: sending it twice does it once. */
    REPEATABLE,
    /** Any other POST: it may have been applied if its answer was lost. */
    ONCE_ONLY
  }

  /** Whether an answer with {@code status} (and problem {@code code}, or null) is worth a retry. */
  public boolean retriesStatus(Safety safety, int status, String code) {
    if (status == 429) {
      return true;
    }
    if (safety == Safety.ONCE_ONLY) {
      return false;
    }
    return status >= 500 || (status == 409 && "idempotency-request-in-progress".equals(code));
  }

  /**
   * Whether a connection failure is worth a retry: {@code connected} false when the request never
   * reached the service (connection refused), which is always safe.
   */
  public boolean retriesConnectionFailure(Safety safety, boolean connected) {
    return safety == Safety.REPEATABLE || !connected;
  }

  /**
   * How long to wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based).
   */
  public Duration delayAfter(int attempt, Optional<Duration> retryAfter) {
    long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 30));
    long jittered = (long) (random.getAsDouble() * cap);
    long floor = retryAfter.map(Duration::toMillis).orElse(0L);
    return Duration.ofMillis(Math.max(jittered, floor));
  }

  /** Reads a {@code Retry-After} header of whole seconds; an HTTP date or garbage is ignored. */
  public static Optional<Duration> parseRetryAfter(String header) {
    if (header == null || !header.trim().matches("\\d{1,9}")) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())));
  }

  private static double uniform() {
    return ThreadLocalRandom.current().nextDouble();
  }
}
