package dev.coffer.sdk.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.sdk.http.RetryPolicy.Safety;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static RetryPolicy withRandom(double value) {
    return new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2), () -> value);
  }

  @Test
  void theWaitIsAJitteredShareOfADoublingCap() {
    assertThat(withRandom(0.999).delayAfter(1, Optional.empty())).isEqualTo(Duration.ofMillis(99));
    assertThat(withRandom(0.999).delayAfter(3, Optional.empty())).isEqualTo(Duration.ofMillis(399));
    assertThat(withRandom(0.5).delayAfter(3, Optional.empty())).isEqualTo(Duration.ofMillis(200));
    assertThat(withRandom(0.999).delayAfter(20, Optional.empty()))
        .isEqualTo(Duration.ofMillis(1998));
    assertThat(withRandom(0).delayAfter(2, Optional.empty())).isZero();
  }

  @Test
  void retryAfterIsAFloor() {
    assertThat(withRandom(0.1).delayAfter(1, RetryPolicy.parseRetryAfter("3")))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT")).isEmpty();
    assertThat(RetryPolicy.parseRetryAfter(null)).isEmpty();
  }

  @Test
  void onlyWhatCannotHappenTwiceIsSentAgain() {
    RetryPolicy policy = RetryPolicy.DEFAULT;
    assertThat(policy.retriesStatus(Safety.REPEATABLE, 503, "service-unavailable")).isTrue();
    assertThat(policy.retriesStatus(Safety.REPEATABLE, 500, "internal")).isTrue();
    assertThat(policy.retriesStatus(Safety.REPEATABLE, 409, "idempotency-request-in-progress"))
        .isTrue();
    assertThat(policy.retriesStatus(Safety.REPEATABLE, 409, "transfer-not-pending")).isFalse();
    assertThat(policy.retriesStatus(Safety.REPEATABLE, 422, "insufficient-funds")).isFalse();
    assertThat(policy.retriesStatus(Safety.ONCE_ONLY, 429, "rate-limited")).isTrue();
    assertThat(policy.retriesStatus(Safety.ONCE_ONLY, 503, "service-unavailable")).isFalse();
    assertThat(policy.retriesConnectionFailure(Safety.REPEATABLE, true)).isTrue();
    assertThat(policy.retriesConnectionFailure(Safety.ONCE_ONLY, true)).isFalse();
    assertThat(policy.retriesConnectionFailure(Safety.ONCE_ONLY, false)).isTrue();
  }

  @Test
  void theLaterConsistencyTokenIsKept() {
    ConsistencyTokens tokens = new ConsistencyTokens();
    tokens.observe("00000000016b3a28");
    tokens.observe("00000000016b3a10");
    tokens.observe("not a token");
    assertThat(tokens.current()).isEqualTo("00000000016b3a28");
    tokens.observe("00000000016b3b00");
    assertThat(tokens.current()).isEqualTo("00000000016b3b00");
  }
}
