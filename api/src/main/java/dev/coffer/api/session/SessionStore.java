package dev.coffer.api.session;

import dev.coffer.api.digest.Digests;
import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.redis.RedisScript;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Sessions in Redis Cluster. A token is 256 random bits; Redis only ever sees its SHA-256, so a
 * leaked dump holds no usable token. Each session is one hash ({@code user}, {@code lsn}) under
 * {@code coffer:session:{<hash>}} with a sliding expiry, renewed by every use.
 */
public final class SessionStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

  private static final RedisScript CREATE =
      new RedisScript(
          "redis.call('HSET', KEYS[1], 'user', ARGV[1], 'lsn', ARGV[2])\n"
              + "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
              + "return 1");
  // One round trip per request: read the session and slide its expiry.
  private static final RedisScript TOUCH =
      new RedisScript(
          "local v = redis.call('HMGET', KEYS[1], 'user', 'lsn')\n"
              + "if not v[1] then return nil end\n"
              + "redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
              + "return v");
  // Tokens are fixed-width lower-case hex, so string order is log order: never move backwards,
  // whichever instance answers last, and never resurrect a session deleted meanwhile.
  private static final RedisScript ADVANCE =
      new RedisScript(
          "local cur = redis.call('HGET', KEYS[1], 'lsn')\n"
              + "if not cur then return 0 end\n"
              + "if cur < ARGV[1] then redis.call('HSET', KEYS[1], 'lsn', ARGV[1]) end\n"
              + "return 1");

  private final GuardedRedis guarded;
  private final Redis redis;
  private final Duration ttl;

  public SessionStore(GuardedRedis guarded, Duration ttl) {
    this.guarded = guarded;
    this.redis = guarded.raw();
    this.ttl = ttl;
  }

  public Duration ttl() {
    return ttl;
  }

  /** Loads the scripts on every master; optional, it saves the first calls an EVAL. */
  public Future<Void> preload() {
    return Future.all(CREATE.preload(redis), TOUCH.preload(redis), ADVANCE.preload(redis))
        .mapEmpty();
  }

  /** Starts a session for {@code userId}; returns its bearer token. */
  public Future<String> create(UUID userId) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
    if (token == null || !TOKEN.matcher(token).matches()) {
      return Future.succeededFuture(Optional.empty());
    }
    String key = key(token);
    return guarded
        .call(() -> TOUCH.run(redis, List.of(key), List.of(Long.toString(ttl.toMillis()))))
        .map(response -> Optional.ofNullable(session(key, response)));
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

  static String key(String token) {
    // The braces are a hash tag: every key of one session lives in one slot.
    return "coffer:session:{" + Digests.sha256Hex(token) + "}";
  }
}
