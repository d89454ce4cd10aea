package dev.coffer.api.apikey;

import dev.coffer.api.apikey.ApiKeyTokens.Parsed;
import dev.coffer.api.ratelimit.Decision;
import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.redis.RedisScript;
import dev.coffer.ledger.apikey.ApiKeyStore.ApiKey;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The live API keys in Redis Cluster, where every request's key is checked: one round trip, no
 * database. Each key is a hash under its user's hash tag ({@code coffer:apikey:{u:<user>}:<key>}:
 * the secret's HMAC, scopes, accounts, expiry, latest write, last use), so the same script renews
 * nothing but counts the user's and the key's limits. An entry expires with its key (Redis's own
 * expiry, to the millisecond); revocation deletes it and leaves a short tombstone.
 *
 * <p>PostgreSQL holds the truth: when Redis has lost a user's entries (a restart of a node without
 * persistence), the first request with one of the user's keys finds no marker {@code
 * coffer:apikeys:{u:<user>}:mirrored} and the user's live keys are loaded again. A key revoked
 * during that load keeps its tombstone, which the load never overwrites.
 */
public final class ApiKeyMirror {
  /** How long a revoked key's tombstone outlives its entry: far longer than a load takes. */
  static final Duration TOMBSTONE = Duration.ofDays(1);

  /** Addresses remembered per key (for "used from a new address"); past that none is reported. */
  static final int MAX_ADDRESSES = 100;

  // KEYS: entry, tombstone, marker, addresses, then the limits' counters; ARGV: the secret's HMAC,
  // the client's address, the address cap, then each limit's count and window. A live entry means
  // not revoked (revocation deletes it): the tombstone and marker are read only on a miss; the last
  // use is written at most once a second, and the address set is touched only when the address
  // differs from the last one, so a request is one read and its limits. The HMACs are compared
  // through a hash of each (double-hash blinding): whatever time the comparison takes tells only
  // how much of two SHA-1 digests agree, nothing of the stored HMAC, and costs a quarter of a
  // byte-by-byte constant-time loop in Lua (2.6 against 10 µs a call, measured with EVAL).
  private static final RedisScript TOUCH =
      new RedisScript(
          SlidingWindowLimiter.LUA_DECIDE
              + """
              local v = redis.call('HMGET', KEYS[1], 'hmac', 'scopes', 'accounts', 'lsn', 'expires', 'used', 'addr')
              if not v[1] then
                if redis.call('EXISTS', KEYS[2]) == 1 then return {'revoked'} end
                if redis.call('EXISTS', KEYS[3]) == 1 then return {'unknown'} end
                return {'load'}
              end
              if redis.sha1hex(v[1]) ~= redis.sha1hex(ARGV[1]) then return {'unknown'} end
              local now = now_ms()
              local changed = {}
              if not v[6] or now - tonumber(v[6]) >= 1000 then
                changed[#changed + 1] = 'used'
                changed[#changed + 1] = now
              end
              local new = 0
              if ARGV[2] ~= '' and v[7] ~= ARGV[2] then
                changed[#changed + 1] = 'addr'
                changed[#changed + 1] = ARGV[2]
                new = redis.call('SADD', KEYS[4], ARGV[2])
                if new == 1 then
                  if redis.call('SCARD', KEYS[4]) > tonumber(ARGV[3]) then
                    redis.call('SREM', KEYS[4], ARGV[2])
                    new = 0
                  else
                    local ttl = redis.call('PTTL', KEYS[1])
                    if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
                  end
                end
              end
              if #changed > 0 then redis.call('HSET', KEYS[1], unpack(changed)) end
              local out = {'ok', v[2], v[3] or '', v[4] or '', v[5] or '', new}
              for i = 5, #KEYS do
                out[#out + 1] = decide(KEYS[i], tonumber(ARGV[2 * i - 6]), tonumber(ARGV[2 * i - 5]), now)
              end
              return out
              """);
  // KEYS: entry; ARGV: hmac, scopes, accounts, expiry (ms since the epoch, or '').
  private static final RedisScript PUT =
      new RedisScript(
          """
          redis.call('HSET', KEYS[1], 'hmac', ARGV[1], 'scopes', ARGV[2], 'accounts', ARGV[3],
            'expires', ARGV[4], 'lsn', ARGV[5])
          if ARGV[4] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[4]) end
          return 1
          """);
  // KEYS: the marker, then per key its entry and tombstone; ARGV: per key hmac, scopes, accounts,
  // expiry, and the empty consistency token. Adds only what is missing and not revoked.
  private static final RedisScript LOAD =
      new RedisScript(
          """
          for i = 2, #KEYS, 2 do
            local j = (i - 2) / 2 * 5
            if redis.call('EXISTS', KEYS[i]) == 0 and redis.call('EXISTS', KEYS[i + 1]) == 0 then
              redis.call('HSET', KEYS[i], 'hmac', ARGV[j + 1], 'scopes', ARGV[j + 2],
                'accounts', ARGV[j + 3], 'expires', ARGV[j + 4], 'lsn', ARGV[j + 5])
              if ARGV[j + 4] ~= '' then redis.call('PEXPIREAT', KEYS[i], ARGV[j + 4]) end
            end
          end
          redis.call('SET', KEYS[1], '1')
          return 1
          """);
  // KEYS: per key its entry, tombstone and addresses; ARGV: the tombstone's life in ms.
  private static final RedisScript REVOKE =
      new RedisScript(
          """
          for i = 1, #KEYS, 3 do
            redis.call('DEL', KEYS[i], KEYS[i + 2])
            redis.call('SET', KEYS[i + 1], '1', 'PX', ARGV[1])
          end
          return 1
          """);
  // KEYS: entries; answers each one's last use (ms since the epoch) or false.
  private static final RedisScript LAST_USED =
      new RedisScript(
          """
          local out = {}
          for i = 1, #KEYS do out[i] = redis.call('HGET', KEYS[i], 'used') or false end
          return out
          """);

  /** What a touch found. */
  public enum Outcome {
    OK,
    UNKNOWN,
    REVOKED,
    LOAD
  }

  /**
   * A live key's entry: its grant's parts and the limits' decisions, when {@code outcome} is OK.
   */
  public record Touch(
      Outcome outcome,
      String scopes,
      String accounts,
      ConsistencyToken lastWrite,
      Long expiresAtMillis,
      boolean newAddress,
      List<Decision> decisions) {
    static Touch of(Outcome outcome) {
      return new Touch(outcome, null, null, ConsistencyToken.NONE, null, false, List.of());
    }
  }

  private final GuardedRedis redis;

  public ApiKeyMirror(GuardedRedis redis) {
    this.redis = redis;
  }

  /** Loads the scripts on every master; optional, it saves the first calls an EVAL. */
  public Future<Void> preload() {
    return Future.all(
            List.of(
                TOUCH.preload(redis.raw()),
                PUT.preload(redis.raw()),
                LOAD.preload(redis.raw()),
                REVOKE.preload(redis.raw()),
                LAST_USED.preload(redis.raw())))
        .mapEmpty();
  }

  /** The entry's Redis key: what the stream and write receipts know the credential by. */
  public static String entry(UUID user, UUID keyId) {
    return "coffer:apikey:" + SlidingWindowLimiter.userTag(user.toString()) + ":" + keyId;
  }

  private static String tombstone(UUID user, UUID keyId) {
    return entry(user, keyId) + ":revoked";
  }

  private static String addresses(UUID user, UUID keyId) {
    return entry(user, keyId) + ":addresses";
  }

  private static String marker(UUID user) {
    return "coffer:apikeys:" + SlidingWindowLimiter.userTag(user.toString()) + ":mirrored";
  }

  /**
   * Checks {@code key} against its entry and, when it is live and its HMAC matches, records its use
   * from {@code address} and counts {@code limits} (the user's, then the key's own).
   */
  public Future<Touch> touch(
      Parsed key, String hmacHex, String address, List<RateLimitPolicy> limits) {
    List<String> keys = new ArrayList<>(4 + limits.size());
    keys.add(entry(key.user(), key.keyId()));
    keys.add(tombstone(key.user(), key.keyId()));
    keys.add(marker(key.user()));
    keys.add(addresses(key.user(), key.keyId()));
    List<String> args = new ArrayList<>(3 + 2 * limits.size());
    args.add(hmacHex);
    args.add(address == null ? "" : address);
    args.add(Integer.toString(MAX_ADDRESSES));
    for (RateLimitPolicy policy : limits) {
      keys.add(counter(policy, key));
      args.add(Integer.toString(policy.limit()));
      args.add(Long.toString(policy.window().toMillis()));
    }
    return redis.call(() -> TOUCH.run(redis.raw(), keys, args)).map(r -> touch(r, limits));
  }

  // A key's own policy counts per key, the others per user, all in the user's slot.
  private static String counter(RateLimitPolicy policy, Parsed key) {
    String user = SlidingWindowLimiter.userKey(policy, key.user());
    return policy.scope() == RateLimitPolicy.Scope.KEY ? user + ":" + key.keyId() : user;
  }

  private static Touch touch(Response r, List<RateLimitPolicy> limits) {
    String outcome = r.get(0).toString();
    switch (outcome) {
      case "ok":
        break;
      case "load":
        return Touch.of(Outcome.LOAD);
      case "revoked":
        return Touch.of(Outcome.REVOKED);
      default:
        return Touch.of(Outcome.UNKNOWN);
    }
    List<Decision> decisions = new ArrayList<>(limits.size());
    for (int i = 0; i < limits.size(); i++) {
      decisions.add(SlidingWindowLimiter.decision(limits.get(i), r.get(6 + i)));
    }
    String expires = r.get(4).toString();
    return new Touch(
        Outcome.OK,
        r.get(1).toString(),
        r.get(2).toString(),
        ConsistencyToken.parse(r.get(3).toString()).orElse(ConsistencyToken.NONE),
        expires.isEmpty() ? null : Long.parseLong(expires),
        r.get(5).toInteger() == 1,
        decisions);
  }

  /** Writes a new key's entry (before the key is stored: a failure here leaves nothing behind). */
  public Future<Void> put(
      UUID user,
      UUID keyId,
      String hmacHex,
      String scopes,
      String accounts,
      OffsetDateTime expiresAt) {
    return redis
        .call(
            () ->
                PUT.run(
                    redis.raw(),
                    List.of(entry(user, keyId)),
                    List.of(
                        hmacHex,
                        scopes,
                        accounts,
                        millis(expiresAt),
                        ConsistencyToken.NONE.toString())))
        .mapEmpty();
  }

  /** Rebuilds {@code user}'s entries from {@code live} (their stored rows) and sets the marker. */
  public Future<Void> load(UUID user, List<ApiKey> live) {
    List<String> keys = new ArrayList<>(1 + 2 * live.size());
    List<String> args = new ArrayList<>(5 * live.size());
    keys.add(marker(user));
    for (ApiKey key : live) {
      keys.add(entry(user, key.id()));
      keys.add(tombstone(user, key.id()));
      args.add(ApiKeyTokens.hex(key.secretHmac()));
      args.add(String.join(",", key.scopes()));
      args.add(accounts(key.accounts()));
      args.add(millis(key.expiresAt()));
      args.add(ConsistencyToken.NONE.toString());
    }
    return redis.call(() -> LOAD.run(redis.raw(), keys, args)).mapEmpty();
  }

  /** Deletes the entries of {@code keyIds} and leaves their tombstones. */
  public Future<Void> revoke(UUID user, List<UUID> keyIds) {
    List<String> keys = new ArrayList<>(3 * keyIds.size());
    for (UUID id : keyIds) {
      keys.add(entry(user, id));
      keys.add(tombstone(user, id));
      keys.add(addresses(user, id));
    }
    return redis
        .call(() -> REVOKE.run(redis.raw(), keys, List.of(Long.toString(TOMBSTONE.toMillis()))))
        .mapEmpty();
  }

  /** When each of {@code keyIds} was last used (ms since the epoch), as far as Redis knows. */
  public Future<Map<UUID, Long>> lastUsed(UUID user, List<UUID> keyIds) {
    if (keyIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> keys = keyIds.stream().map(id -> entry(user, id)).toList();
    return redis
        .call(() -> LAST_USED.run(redis.raw(), keys, List.of()))
        .map(
            r -> {
              Map<UUID, Long> used = new HashMap<>();
              for (int i = 0; i < keyIds.size(); i++) {
                Response at = r.get(i);
                if (at != null) {
                  used.put(keyIds.get(i), at.toLong());
                }
              }
              return used;
            });
  }

  /** The accounts as an entry holds them: comma-separated ids, empty for every account. */
  static String accounts(List<UUID> accounts) {
    return accounts == null ? "" : String.join(",", accounts.stream().map(UUID::toString).toList());
  }

  private static String millis(OffsetDateTime at) {
    return at == null ? "" : Long.toString(at.toInstant().toEpochMilli());
  }
}
