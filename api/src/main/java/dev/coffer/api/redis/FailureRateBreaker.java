package dev.coffer.api.redis;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * A circuit breaker that opens on a failure <em>rate</em>: when, over the last {@code window}, at
 * least {@code minFailures} calls failed and they were at least {@code minFailureShare} of all
 * calls. A count alone ("5 failures in 10 s") cannot tell an outage from a stall: at a thousand
 * calls a second, the few calls caught in a JIT pause or a GC of a cold instance opened the old
 * breaker, which then refused every call for a second, thousands of 503s for five slow answers.
 *
 * <p>Open, it refuses calls until {@code openFor} has passed, then lets one probe through
 * (half-open): the probe's success closes it with a fresh window, its failure opens it again.
 *
 * <p>Thread-safe: every event loop of an instance calls the same breaker; each method is a few
 * field updates under its monitor.
 */
final class FailureRateBreaker {
  /** The breaker's state. */
  enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  /** What a caller may do: call, call as the half-open probe, or fail at once. */
  enum Permit {
    CALL,
    PROBE,
    REFUSED
  }

  /** Told of every change of state (under the breaker's monitor: keep it short). */
  interface Listener {
    void changed(State to);
  }

  private static final int BUCKETS = 10;

  private final int minFailures;
  private final double minFailureShare;
  private final long bucketNanos;
  private final long openForNanos;
  private final LongSupplier nanoClock;
  private final Listener listener;
  private final long[] bucketIds = new long[BUCKETS];
  private final long[] calls = new long[BUCKETS];
  private final long[] failures = new long[BUCKETS];
  private State state = State.CLOSED;
  private long openedAt;
  private boolean probeOut;

  FailureRateBreaker(
      int minFailures,
      double minFailureShare,
      Duration window,
      Duration openFor,
      LongSupplier nanoClock,
      Listener listener) {
    this.minFailures = minFailures;
    this.minFailureShare = minFailureShare;
    this.bucketNanos = Math.max(1, window.toNanos() / BUCKETS);
    this.openForNanos = openFor.toNanos();
    this.nanoClock = nanoClock;
    this.listener = listener;
    clearWindow();
  }

  synchronized State state() {
    return state;
  }

  /** Asks to call; a {@link Permit#REFUSED} caller fails at once without calling. */
  synchronized Permit acquire() {
    switch (state) {
      case CLOSED:
        return Permit.CALL;
      case OPEN:
        if (nanoClock.getAsLong() - openedAt < openForNanos) {
          return Permit.REFUSED;
        }
        moveTo(State.HALF_OPEN);
        probeOut = true;
        return Permit.PROBE;
      default:
        if (probeOut) {
          return Permit.REFUSED;
        }
        probeOut = true;
        return Permit.PROBE;
    }
  }

  /** A call made under {@code permit} answered. */
  synchronized void succeeded(Permit permit) {
    if (permit == Permit.PROBE) {
      probeOut = false;
      clearWindow();
      moveTo(State.CLOSED);
    } else if (permit == Permit.CALL && state == State.CLOSED) {
      calls[bucket()]++;
    }
  }

  /** A call made under {@code permit} failed (an error or its time limit). */
  synchronized void failed(Permit permit) {
    if (permit == Permit.PROBE) {
      probeOut = false;
      open();
      return;
    }
    if (permit != Permit.CALL || state != State.CLOSED) {
      return;
    }
    int b = bucket();
    calls[b]++;
    failures[b]++;
    long now = Math.floorDiv(nanoClock.getAsLong(), bucketNanos);
    long windowCalls = 0;
    long windowFailures = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketIds[i] > now - BUCKETS) {
        windowCalls += calls[i];
        windowFailures += failures[i];
      }
    }
    if (windowFailures >= minFailures && windowFailures >= minFailureShare * windowCalls) {
      open();
    }
  }

  private void open() {
    openedAt = nanoClock.getAsLong();
    moveTo(State.OPEN);
  }

  private void moveTo(State to) {
    if (state != to) {
      state = to;
      listener.changed(to);
    }
  }

  private void clearWindow() {
    Arrays.fill(bucketIds, Long.MIN_VALUE);
    Arrays.fill(calls, 0);
    Arrays.fill(failures, 0);
  }

  // The current bucket, emptied first if it last counted an earlier period.
  private int bucket() {
    long id = Math.floorDiv(nanoClock.getAsLong(), bucketNanos);
    int b = (int) Math.floorMod(id, (long) BUCKETS);
    if (bucketIds[b] != id) {
      bucketIds[b] = id;
      calls[b] = 0;
      failures[b] = 0;
    }
    return b;
  }
}
