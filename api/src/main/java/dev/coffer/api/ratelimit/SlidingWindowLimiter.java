package dev.coffer.api.ratelimit;

import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * Sliding-window rate limits in Redis Cluster, one round trip per decision.
 *
 * <p>The algorithm is the two-window weighted counter: a subject's requests are counted per fixed
 * window, and a request is allowed while {@code previous × (share of the previous window still
 * inside the sliding window) + current < limit}. It keeps three small fields per subject whatever
 * the limit, where a true sliding log keeps one entry per request (a read limit of 1,200 a minute
 * would mean 1,200 entries per active user). The price is an approximation: it assumes the previous
 * window's requests were spread evenly. It never allows a double burst at a window edge (the
 * previous window still counts almost fully just after it), and a refused request is not counted,
 * so a client that keeps knocking is let in again as soon as its rate falls under the limit.
 *
 * <p>The window index comes from Redis's own clock ({@code TIME}) so that every instance agrees,
 * and the key carries its subject in a hash tag: each decision touches one slot, and subjects
 * spread over the cluster.
 */
public final class SlidingWindowLimiter {
  /**
   * The decision as a Lua function, {@code decide(key, limit, windowMs, nowMs)} returning {@code
   * {allowed, remaining, resetMs, waitMs}}, for this limiter's script and for scripts that decide
   * along with other work in the same slot (the session check); with its parts, {@code
   * window_state} and {@code wait_ms}, for scripts that look at a window without counting (the
   * log-in throttle), and {@code now_ms} (Redis's clock).
   */
  public static final String LUA_DECIDE =
      """
      local function window_state(key, window, now)
        local current = math.floor(now / window)
        local elapsed = now - current * window
        local stored = redis.call('HMGET', key, 'w', 'c', 'p')
        local w = tonumber(stored[1] or -1)
        local cur, prev = 0, 0
        if w == current then
          cur = tonumber(stored[2] or 0)
          prev = tonumber(stored[3] or 0)
        elseif w == current - 1 then
          prev = tonumber(stored[2] or 0)
        end
        return current, elapsed, cur, prev
      end
      local function wait_ms(limit, window, elapsed, cur, prev)
        local wait
        if cur + 1 <= limit then
          wait = math.ceil(window * (1 - (limit - cur - 1) / prev)) - elapsed
        else
          wait = (window - elapsed) + math.ceil(window * (1 - (limit - 1) / cur))
        end
        if wait < 1 then wait = 1 end
        return wait
      end
      local function decide(key, limit, window, now)
        local current, elapsed, cur, prev = window_state(key, window, now)
        local used = prev * (window - elapsed) / window + cur
        local reset = window - elapsed
        if used + 1 <= limit then
          redis.call('HSET', key, 'w', string.format('%d', current), 'c', cur + 1, 'p', prev)
          redis.call('PEXPIRE', key, window * 2)
          return {1, math.floor(limit - used - 1), reset, 0}
        end
        return {0, 0, reset, wait_ms(limit, window, elapsed, cur, prev)}
      end
      local function now_ms()
        local t = redis.call('TIME')
        return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      """;

  private static final RedisScript DECIDE =
      new RedisScript(
          LUA_DECIDE + "return decide(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), now_ms())\n");

  private final GuardedRedis redis;

  public SlidingWindowLimiter(GuardedRedis redis) {
    this.redis = redis;
  }

  /** Loads the script on every master ahead of the first request. */
  public Future<Void> preload() {
    return DECIDE.preload(redis.raw());
  }

  /** Counts one request of {@code subject} against {@code policy}, if it is allowed. */
  public Future<Decision> decide(RateLimitPolicy policy, String subject) {
    return redis
        .call(
            () ->
                DECIDE.run(
                    redis.raw(),
                    List.of(key(policy, subject)),
                    List.of(
                        Integer.toString(policy.limit()),
                        Long.toString(policy.window().toMillis()))))
        .map(response -> decision(policy, response));
  }

  /**
   * The counter's key. A user's counters carry the same hash tag as the user's tagged sessions (see
   * {@link #userTag}), so one script can renew a session and count its requests; other subjects
   * spread over the cluster by policy and subject.
   */
  static String key(RateLimitPolicy policy, String subject) {
    // A key's counters live in its user's slot too (ApiKeyMirror adds the key's id).
    return policy.scope() == RateLimitPolicy.Scope.USER
            || policy.scope() == RateLimitPolicy.Scope.KEY
        ? "coffer:rl:" + userTag(subject) + ":" + policy.name()
        : "coffer:rl:{" + policy.name() + ":" + subject + "}";
  }

  /** The key of {@code user}'s counter for {@code policy}. */
  public static String userKey(RateLimitPolicy policy, java.util.UUID user) {
    return key(policy, user.toString());
  }

  /** The hash tag of every key that belongs to {@code user}. */
  public static String userTag(String user) {
    return "{u:" + user + "}";
  }

  /** The decision that {@link #LUA_DECIDE}'s answer {@code r} means for {@code policy}. */
  public static Decision decision(RateLimitPolicy policy, Response r) {
    return new Decision(
        policy,
        r.get(0).toLong() == 1,
        Math.max(0, r.get(1).toLong()),
        ceilSeconds(r.get(2).toLong()),
        r.get(0).toLong() == 1 ? 0 : ceilSeconds(r.get(3).toLong()));
  }

  private static long ceilSeconds(long millis) {
    return Math.max(1, (millis + 999) / 1000);
  }
}
