package dev.coffer.api.user;

import dev.coffer.api.digest.Digests;
import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.redis.RedisScript;
import dev.coffer.ledger.user.EmailKey;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Failed log-ins, counted so that a stranger cannot lock the owner out (OWASP's authentication
 * guidance: throttle by account and source, never lock an account for everyone). Only failures
 * count, and in two places:
 *
 * <ul>
 *   <li>per e-mail and client address ({@code login-email}, 10 per 600 s): whoever guesses from one
 *       address is stopped there, and the owner at another address is not;
 *   <li>per e-mail from every address ({@code login-email-all}, a much higher ceiling, 100 per 3600
 *       s): guessing spread over many addresses is stopped too, except from an address the owner
 *       has logged in from before (known for the session lifetime), which is still let in.
 * </ul>
 *
 * A correct password clears its address's failures and makes the address known. Keys hold the
 * e-mail's hash (as the limiter's do), never the address; all of one e-mail's keys share a hash
 * tag, so each step is one script in one slot.
 */
public final class LoginThrottle {
  private static final Logger LOG = Logger.getLogger(LoginThrottle.class.getName());

  // peek(): what the sliding-window limiter would decide, without counting; hit(): count one.
  private static final RedisScript SCRIPT =
      new RedisScript(
          SlidingWindowLimiter.LUA_DECIDE
              + """
          local function peek(key, limit, window, now)
            local current, elapsed, cur, prev = window_state(key, window, now)
            local used = prev * (window - elapsed) / window + cur
            if used + 1 <= limit then return 0 end
            return wait_ms(limit, window, elapsed, cur, prev)
          end
          local function hit(key, window, now)
            local current, elapsed, cur, prev = window_state(key, window, now)
            redis.call('HSET', key, 'w', string.format('%d', current), 'c', cur + 1, 'p', prev)
            redis.call('PEXPIRE', key, window * 2)
          end
          local now = now_ms()
          local pairLimit, pairWindow = tonumber(ARGV[2]), tonumber(ARGV[3])
          local allLimit, allWindow = tonumber(ARGV[4]), tonumber(ARGV[5])
          if ARGV[1] == 'check' then
            local wait = peek(KEYS[1], pairLimit, pairWindow, now)
            if wait > 0 then return wait end
            if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
            return peek(KEYS[2], allLimit, allWindow, now)
          elseif ARGV[1] == 'failed' then
            hit(KEYS[1], pairWindow, now)
            hit(KEYS[2], allWindow, now)
            return 0
          else
            redis.call('SET', KEYS[3], '1', 'PX', ARGV[6])
            redis.call('DEL', KEYS[1])
            return 0
          end
          """);

  private final GuardedRedis redis;
  private final boolean enabled;
  private final boolean failClosed;
  private final RateLimitPolicy perAddress;
  private final RateLimitPolicy perEmail;
  private final Duration knownFor;

  public LoginThrottle(GuardedRedis redis, RateLimitSettings settings, Duration knownFor) {
    this.redis = redis;
    this.enabled = settings.enabled();
    this.failClosed = settings.failClosed();
    this.perAddress = settings.policies().get("login-email");
    this.perEmail = settings.policies().get("login-email-all");
    this.knownFor = knownFor;
  }

  /**
   * Seconds until {@code email} may be tried again from {@code address}, or 0 now. When Redis
   * cannot say: 0 (as every limit), or a failure when limits fail closed.
   */
  Future<Long> waitSeconds(String email, String address) {
    if (!enabled) {
      return Future.succeededFuture(0L);
    }
    return run("check", email, address)
        .map(waitMs -> (waitMs + 999) / 1000)
        .recover(e -> failClosed ? Future.failedFuture(e) : Future.succeededFuture(0L));
  }

  /** Counts a wrong password for {@code email} from {@code address}. */
  Future<Void> failed(String email, String address) {
    return record("failed", email, address);
  }

  /** A correct password: the address's failures are forgiven and the address is known. */
  Future<Void> succeeded(String email, String address) {
    return record("succeeded", email, address);
  }

  private Future<Void> record(String step, String email, String address) {
    if (!enabled) {
      return Future.succeededFuture();
    }
    // Losing a count is a limit's usual fail-open; the log-in's answer does not wait on Redis.
    return run(step, email, address)
        .<Void>mapEmpty()
        .otherwise(
            e -> {
              LOG.fine("log-in throttle not updated: " + e);
              return null;
            });
  }

  private Future<Long> run(String step, String email, String address) {
    String tag = "coffer:login:{" + Digests.sha256Hex(EmailKey.of(email)).substring(0, 32) + "}";
    String source = Digests.sha256Hex(address).substring(0, 32);
    List<String> keys = List.of(tag + ":a:" + source, tag + ":all", tag + ":known:" + source);
    List<String> args =
        List.of(
            step,
            Integer.toString(perAddress.limit()),
            Long.toString(perAddress.window().toMillis()),
            Integer.toString(perEmail.limit()),
            Long.toString(perEmail.window().toMillis()),
            Long.toString(knownFor.toMillis()));
    return redis.call(() -> SCRIPT.run(redis.raw(), keys, args)).map(r -> r.toLong());
  }
}
