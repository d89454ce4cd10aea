package dev.coffer.api.ratelimit;

/**
 * One policy's verdict on one request: allowed or not, what is left, seconds until the window
 * rolls, and (when refused) seconds until a request would be allowed again.
 */
public record Decision(
    RateLimitPolicy policy, boolean allowed, long remaining, long resetSeconds, long retryAfter) {

  /** What a request gets when Redis cannot say: let through, headers unknown. */
  public static Decision unknown(RateLimitPolicy policy) {
    return new Decision(policy, true, -1, -1, 0);
  }

  public boolean known() {
    return remaining >= 0;
  }

  /** The decision as an item of the {@code RateLimit} header. */
  public String header() {
    return "\"" + policy.name() + "\";r=" + remaining + ";t=" + resetSeconds;
  }
}
