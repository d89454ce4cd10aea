package dev.coffer.api.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.redis.FailureRateBreaker.Permit;
import dev.coffer.api.redis.FailureRateBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Redis breaker opens on a failure rate, never on a few failures among many good calls. */
class FailureRateBreakerTest {
  private long now = 1_000_000_000L;
  private final List<State> changes = new ArrayList<>();
  private final FailureRateBreaker breaker =
      new FailureRateBreaker(
          5, 0.5, Duration.ofSeconds(10), Duration.ofSeconds(1), () -> now, changes::add);

  private void calls(int good, int bad) {
    for (int i = 0; i < good; i++) {
      breaker.succeeded(breaker.acquire());
    }
    for (int i = 0; i < bad; i++) {
      breaker.failed(breaker.acquire());
    }
  }

  private void advance(Duration d) {
    now += d.toNanos();
  }

  @Test
  void aFewSlowCallsAmongManyGoodOnesOpenNothing() {
    // A cold instance: a thousand calls a second, a burst of time-outs during a JIT pause.
    calls(1_000, 0);
    calls(0, 40);
    calls(1_000, 0);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.acquire()).isEqualTo(Permit.CALL);
    assertThat(changes).isEmpty();
  }

  @Test
  void anOutageOpensItAndItRefusesAtOnceThenProbesAndCloses() {
    calls(20, 0);
    // Redis gone: every call fails; open once failures are at least 5 and half the window's calls.
    calls(0, 19);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    calls(0, 1);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);

    advance(Duration.ofMillis(999));
    assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);
    advance(Duration.ofMillis(1));
    Permit probe = breaker.acquire();
    assertThat(probe).isEqualTo(Permit.PROBE);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    // One probe at a time.
    assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);
    breaker.succeeded(probe);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(changes).containsExactly(State.OPEN, State.HALF_OPEN, State.CLOSED);

    // Closed with a fresh window: the outage's failures count no more.
    calls(0, 4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aFailedProbeOpensItForAnotherPeriod() {
    calls(0, 5);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    advance(Duration.ofSeconds(1));
    breaker.failed(breaker.acquire());
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    advance(Duration.ofMillis(500));
    assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);
    advance(Duration.ofMillis(500));
    assertThat(breaker.acquire()).isEqualTo(Permit.PROBE);
  }

  @Test
  void failuresOlderThanTheWindowAreForgotten() {
    calls(0, 4);
    advance(Duration.ofSeconds(11));
    calls(0, 4);
    assertThat(breaker.state()).as("4 + 4 failures, but 11 s apart").isEqualTo(State.CLOSED);
    advance(Duration.ofSeconds(5));
    calls(0, 1);
    assertThat(breaker.state())
        .as("5 failures within 10 s, all of its calls")
        .isEqualTo(State.OPEN);
  }

  @Test
  void callsAnsweredAfterItOpenedDoNotCountTowardsTheNextWindow() {
    Permit late = breaker.acquire();
    calls(0, 5);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    breaker.failed(late);
    advance(Duration.ofSeconds(1));
    breaker.succeeded(breaker.acquire());
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    calls(0, 4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }
}
