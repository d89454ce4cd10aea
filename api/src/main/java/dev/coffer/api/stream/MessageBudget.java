package dev.coffer.api.stream;

/**
 * How many messages one stream connection may send: a token bucket of {@code perSecond} tokens,
 * refilled at {@code perSecond} a second. It lives in the connection (no Redis call per message):
 * its job is to keep one socket from turning frames into database queries as fast as it can write
 * them; the user's own limits are counted at the handshake and per subscribe message.
 */
final class MessageBudget {
  private final double perSecond;
  private double tokens;
  private long lastNanos;

  MessageBudget(int perSecond, long nowNanos) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
    this.lastNanos = nowNanos;
  }

  /** Takes one token if there is one at {@code nowNanos}. */
  boolean take(long nowNanos) {
    double elapsed = Math.max(0, nowNanos - lastNanos) / 1e9;
    lastNanos = nowNanos;
    tokens = Math.min(perSecond, tokens + elapsed * perSecond);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
