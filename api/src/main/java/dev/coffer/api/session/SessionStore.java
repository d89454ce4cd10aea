package dev.coffer.api.session;

import dev.coffer.api.digest.Digests;
import dev.coffer.api.ratelimit.Decision;
import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.redis.RedisScript;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sessions in Redis Cluster. A token holds 256 random bits; Redis only ever sees its SHA-256, so a
 * leaked dump holds no usable token. Each session is one hash ({@code user}, {@code lsn}) with a
 * sliding expiry, renewed by every use.
 *
 * <p>Two kinds of token are read. A tagged token, {@code u<user id, base64url>.<secret>}, names its
 * user so that its session lives under the user's hash tag, {@code
 * coffer:session:{u:<user>}:<hash>}, in the slot of the user's rate-limit counters: one script
 * renews the session and counts the request ({@link #touch(String, List)}), one Redis round trip
 * per authenticated request. A plain token (the secret alone, from earlier releases or {@code
 * COFFER_SESSION_TOKENS=plain}) lives under {@code coffer:session:{<hash>}}, and its request's
 * limits are counted by a second call. The user id in a token is no secret (the API shows it); the
 * secret is what the hash in the key checks.
 */
public final class SessionStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final int PLAIN_LENGTH = 43;
  private static final int USER_LENGTH = 22;
  private static final int TAGGED_LENGTH = 1 + USER_LENGTH + 1 + PLAIN_LENGTH;

  private static final RedisScript CREATE =
      new RedisScript(
          "redis.call('HSET', KEYS[1], 'user', ARGV[1], 'lsn', ARGV[2])\n"
              + "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
              + "return 1");
  // Tokens are fixed-width lower-case hex, so string order is log order: never move backwards,
  // whichever instance answers last, and never resurrect a session deleted meanwhile.
  private static final RedisScript ADVANCE =
      new RedisScript(
          "local cur = redis.call('HGET', KEYS[1], 'lsn')\n"
              + "if not cur then return 0 end\n"
              + "if cur < ARGV[1] then redis.call('HSET', KEYS[1], 'lsn', ARGV[1]) end\n"
              + "return 1");

  // One round trip per request: read the session (KEYS[1]) and slide its expiry, then count each
  // of the user's limits (KEYS[2..], ARGV limit and window in pairs; none for a plain token),
  // only for a live session: a token that names someone else's user counts nothing.
  private static final RedisScript TOUCH =
      new RedisScript(
          SlidingWindowLimiter.LUA_DECIDE
              + """
              local v = redis.call('HMGET', KEYS[1], 'user', 'lsn')
              if not v[1] then return nil end
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
              local now = now_ms()
              local out = {v[1], v[2] or false}
              for i = 2, #KEYS do
                out[#out + 1] = decide(KEYS[i], tonumber(ARGV[2 * i - 2]), tonumber(ARGV[2 * i - 1]), now)
              end
              return out
              """);

  private final GuardedRedis guarded;
  private final Redis redis;
  private final Duration ttl;
  private final boolean taggedTokens;

  public SessionStore(GuardedRedis guarded, SessionSettings settings) {
    this.guarded = guarded;
    this.redis = guarded.raw();
    this.ttl = settings.ttl();
    this.taggedTokens = settings.taggedTokens();
  }

  /** A live session, with the decisions of the limits counted in the same call (maybe none). */
  public record Touch(Session session, List<Decision> decisions) {}

  public Duration ttl() {
    return ttl;
  }

  /** Loads the scripts on every master; optional, it saves the first calls an EVAL. */
  public Future<Void> preload() {
    return Future.all(List.of(CREATE.preload(redis), TOUCH.preload(redis), ADVANCE.preload(redis)))
        .mapEmpty();
  }

  /** Starts a session for {@code userId}; returns its bearer token. */
  public Future<String> create(UUID userId) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String secret = BASE64.encodeToString(bytes);
    String token =
        taggedTokens ? "u" + BASE64.encodeToString(bytesOf(userId)) + "." + secret : secret;
    return CREATE
        .run(
            redis,
            List.of(key(token)),
            List.of(
                userId.toString(), ConsistencyToken.NONE.toString(), Long.toString(ttl.toMillis())))
        .map(token);
  }

  /** The live session for {@code token}, its expiry renewed; empty if unknown or expired. */
  public Future<Optional<Session>> touch(String token) {
    return touch(token, List.of()).map(touch -> touch.map(Touch::session));
  }

  /**
   * The live session for {@code token}, its expiry renewed, and, when the token is tagged, a
   * request counted against each of {@code userLimits} for its user in the same call (the touch's
   * decisions; empty when they are left to the limiter). Empty if the session is unknown or
   * expired.
   */
  public Future<Optional<Touch>> touch(String token, List<RateLimitPolicy> userLimits) {
    String key = key(token);
    if (key == null) {
      return Future.succeededFuture(Optional.empty());
    }
    UUID tagged = taggedUser(token);
    // A plain token's session is in another slot than its user's counters: the limiter counts.
    List<RateLimitPolicy> counted = tagged == null ? List.of() : userLimits;
    List<String> keys = new ArrayList<>(1 + counted.size());
    List<String> args = new ArrayList<>(1 + 2 * counted.size());
    keys.add(key);
    args.add(Long.toString(ttl.toMillis()));
    for (RateLimitPolicy policy : counted) {
      keys.add(SlidingWindowLimiter.userKey(policy, tagged));
      args.add(Integer.toString(policy.limit()));
      args.add(Long.toString(policy.window().toMillis()));
    }
    return guarded
        .call(() -> TOUCH.run(redis, keys, args))
        .map(
            response -> {
              Session session = session(key, response);
              if (session == null) {
                return Optional.empty();
              }
              List<Decision> decisions = new ArrayList<>(counted.size());
              for (int i = 0; i < counted.size(); i++) {
                decisions.add(SlidingWindowLimiter.decision(counted.get(i), response.get(2 + i)));
              }
              return Optional.of(new Touch(session, decisions));
            });
  }

  private static Session session(String key, Response response) {
    if (response == null || response.size() < 2 || response.get(0) == null) {
      return null;
    }
    Response lsn = response.get(1);
    return new Session(
        UUID.fromString(response.get(0).toString()),
        key,
        lsn == null
            ? ConsistencyToken.NONE
            : ConsistencyToken.parse(lsn.toString()).orElse(ConsistencyToken.NONE));
  }

  /** Records that the session has been answered a write at {@code token}. */
  public Future<Void> advance(Session session, ConsistencyToken token) {
    return guarded
        .call(() -> ADVANCE.run(redis, List.of(session.key()), List.of(token.toString())))
        .mapEmpty();
  }

  /** Whether the session under {@code key} is still live, without extending it. */
  public Future<Boolean> alive(String key) {
    return guarded
        .call(() -> redis.send(Request.cmd(Command.EXISTS).arg(key)))
        .map(response -> response != null && response.toInteger() > 0);
  }

  /** Ends the session on every instance at once. */
  public Future<Void> delete(Session session) {
    return guarded.call(() -> redis.send(Request.cmd(Command.DEL).arg(session.key()))).mapEmpty();
  }

  /** The Redis key of {@code token}'s session, or null when it is no token Coffer issues. */
  public static String key(String token) {
    if (token == null) {
      return null;
    }
    UUID user = taggedUser(token);
    if (user != null) {
      return "coffer:session:"
          + SlidingWindowLimiter.userTag(user.toString())
          + ":"
          + Digests.sha256Hex(token);
    }
    // The braces are a hash tag: every key of one session lives in one slot.
    return isPlain(token) ? "coffer:session:{" + Digests.sha256Hex(token) + "}" : null;
  }

  // A plain token: 43 base64url characters (32 random bytes). The shapes are checked by hand,
  // not by a regular expression: this runs on every authenticated request.
  private static boolean isPlain(String token) {
    return token.length() == PLAIN_LENGTH && isBase64Url(token, 0, PLAIN_LENGTH);
  }

  // The user a tagged token names ("u", the user's 16 bytes as 22 base64url characters, ".", a
  // plain token), or null for any other string.
  private static UUID taggedUser(String token) {
    if (token.length() != TAGGED_LENGTH
        || token.charAt(0) != 'u'
        || token.charAt(1 + USER_LENGTH) != '.'
        || !isBase64Url(token, 1, 1 + USER_LENGTH)
        || !isBase64Url(token, 2 + USER_LENGTH, TAGGED_LENGTH)) {
      return null;
    }
    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getUrlDecoder().decode(token.substring(1, 1 + USER_LENGTH)));
    return new UUID(bytes.getLong(), bytes.getLong());
  }

  private static boolean isBase64Url(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (!(c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_')) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytesOf(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }
}
