package dev.coffer.api.account;

import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.ledger.db.ConsistencyToken;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * A read-through cache of single accounts in Redis, off unless {@code COFFER_CACHE_ACCOUNTS} turns
 * it on (see docs/ratelimit-and-cache.md for the measurement behind that default).
 *
 * <p>Each entry carries the consistency token its data is known to be at least as fresh as, and a
 * read only takes it when that token is at or past the one the read requires: a session never gets
 * an account older than its own last write, whatever raced with whom. Writes delete the entries of
 * the accounts they touched before they are answered; entries live {@code ttl} at most. Redis
 * failing only turns the cache into misses.
 */
public final class AccountCache implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(AccountCache.class.getName());

  private final boolean enabled;
  private final GuardedRedis redis;
  private final Duration ttl;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  public AccountCache(AccountCacheSettings settings, GuardedRedis redis) {
    this.enabled = settings.enabled();
    this.redis = redis;
    this.ttl = settings.ttl();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("coffer.account.cache.requests", hits, LongAdder::sum)
        .description("account reads the cache answered (hit) or passed on (miss)")
        .tag("result", "hit")
        .register(registry);
    FunctionCounter.builder("coffer.account.cache.requests", misses, LongAdder::sum)
        .description("account reads the cache answered (hit) or passed on (miss)")
        .tag("result", "miss")
        .register(registry);
  }

  /** The cached account, if there is one of {@code owner}'s at least {@code required}-fresh. */
  public Future<Optional<JsonObject>> get(UUID owner, UUID id, ConsistencyToken required) {
    if (!enabled) {
      return Future.succeededFuture(Optional.empty());
    }
    return redis
        .call(() -> redis.raw().send(Request.cmd(Command.GET).arg(key(id))))
        .map(
            value -> {
              Optional<JsonObject> hit =
                  value == null ? Optional.empty() : parse(value.toString(), owner, required);
              (hit.isPresent() ? hits : misses).increment();
              return hit;
            })
        .otherwise(
            e -> {
              misses.increment();
              return Optional.empty();
            });
  }

  // "<token>|<owner>|<json>": the token and owner are checked before the account is served.
  private static Optional<JsonObject> parse(String value, UUID owner, ConsistencyToken required) {
    String[] parts = value.split("\\|", 3);
    if (parts.length != 3 || !parts[1].equals(owner.toString())) {
      return Optional.empty();
    }
    Optional<ConsistencyToken> fresh = ConsistencyToken.parse(parts[0]);
    if (fresh.isEmpty() || fresh.get().compareTo(required) < 0) {
      return Optional.empty();
    }
    return Optional.of(new JsonObject(parts[2]));
  }

  /** Stores {@code account}, read at least {@code freshAs}-fresh; a failure is only logged. */
  public void put(UUID owner, UUID id, ConsistencyToken freshAs, JsonObject account) {
    if (!enabled) {
      return;
    }
    String value = freshAs + "|" + owner + "|" + account.encode();
    redis
        .call(
            () ->
                redis
                    .raw()
                    .send(
                        Request.cmd(Command.SET)
                            .arg(key(id))
                            .arg(value)
                            .arg("PX")
                            .arg(ttl.toMillis())))
        .onFailure(e -> LOG.fine("account cache: could not store " + id + ": " + e.getMessage()));
  }

  /** Deletes the entries of {@code ids}; they may be in different slots, so one call each. */
  public Future<Void> invalidate(Collection<UUID> ids) {
    if (!enabled) {
      return Future.succeededFuture();
    }
    List<Future<?>> deletes = new ArrayList<>();
    for (UUID id : ids) {
      if (id != null) {
        deletes.add(
            redis
                .call(() -> redis.raw().send(Request.cmd(Command.DEL).arg(key(id))))
                .otherwise(
                    e -> {
                      LOG.warning(
                          "account cache: could not invalidate "
                              + id
                              + " (stale for up to "
                              + ttl.toSeconds()
                              + " s)");
                      return null;
                    }));
      }
    }
    return Future.all(deletes).mapEmpty();
  }

  static String key(UUID id) {
    return "coffer:account:{" + id + "}";
  }
}
