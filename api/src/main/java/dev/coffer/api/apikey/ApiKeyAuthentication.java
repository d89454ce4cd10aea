package dev.coffer.api.apikey;

import dev.coffer.api.access.Grant;
import dev.coffer.api.access.Scope;
import dev.coffer.api.apikey.ApiKeyMirror.Outcome;
import dev.coffer.api.apikey.ApiKeyTokens.Parsed;
import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import dev.coffer.ledger.apikey.ApiKeyStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Bearer tokens that are API keys ({@code ck_live_…}): refused with no lookup when their tag is
 * wrong; else checked in Redis in one call that also counts the user's limits and the key's own;
 * the user's keys loaded from PostgreSQL only when Redis has lost them. A key acts as its user,
 * with its grant.
 */
public final class ApiKeyAuthentication implements SessionAuthentication.Credentials {
  private static final Logger LOG = Logger.getLogger(ApiKeyAuthentication.class.getName());

  private final ApiKeyTokens tokens;
  private final ApiKeyMirror mirror;
  private final ApiKeyStore store;
  private final RateLimitPolicy keyPolicy;
  private final ApiKeyMetrics metrics;

  /** {@code keyPolicy}: what every request with a key counts against (null: none). */
  public ApiKeyAuthentication(
      ApiKeyTokens tokens,
      ApiKeyMirror mirror,
      ApiKeyStore store,
      RateLimitPolicy keyPolicy,
      ApiKeyMetrics metrics) {
    this.tokens = tokens;
    this.mirror = mirror;
    this.store = store;
    this.keyPolicy = keyPolicy;
    this.metrics = metrics;
  }

  @Override
  public boolean recognizes(String token) {
    return ApiKeyTokens.looksLikeKey(token);
  }

  @Override
  public Future<Optional<SessionStore.Touch>> touch(
      String token, List<RateLimitPolicy> userLimits, String address) {
    Parsed key = tokens.parse(token);
    if (key == null) {
      metrics.count("malformed");
      return Future.succeededFuture(Optional.empty());
    }
    List<RateLimitPolicy> limits = new ArrayList<>(userLimits);
    if (keyPolicy != null) {
      limits.add(keyPolicy);
    }
    String hmac = tokens.secretHmacHex(key.secret());
    return mirror
        .touch(key, hmac, address, limits)
        .compose(
            touch ->
                touch.outcome() == Outcome.LOAD
                    ? reload(key.user()).compose(v -> mirror.touch(key, hmac, address, limits))
                    : Future.succeededFuture(touch))
        .map(touch -> answer(key, touch, address))
        .onFailure(e -> metrics.count("unavailable"));
  }

  // Redis has none of the user's keys: load the live ones from the primary, once.
  private Future<Void> reload(UUID user) {
    LOG.info("API keys of a user not in Redis: loading them from the database");
    return store.live(user).compose(live -> mirror.load(user, live));
  }

  private Optional<SessionStore.Touch> answer(
      Parsed key, ApiKeyMirror.Touch touch, String address) {
    if (touch.outcome() != Outcome.OK) {
      metrics.count(touch.outcome() == Outcome.REVOKED ? "revoked" : "unknown");
      return Optional.empty();
    }
    metrics.count("authenticated");
    if (touch.newAddress() && address != null) {
      // The audit trail is not worth delaying or failing the request for.
      store
          .usedFrom(key.user(), key.keyId(), address)
          .onFailure(e -> LOG.warning("could not record an API key's new address: " + e));
    }
    Grant grant =
        Grant.of(
            scopes(touch.scopes()),
            accounts(touch.accounts()),
            key.keyId(),
            touch.expiresAtMillis() == null ? null : Instant.ofEpochMilli(touch.expiresAtMillis()));
    Session session =
        new Session(
            key.user(), ApiKeyMirror.entry(key.user(), key.keyId()), touch.lastWrite(), grant);
    return Optional.of(new SessionStore.Touch(session, touch.decisions()));
  }

  static List<Scope> scopes(String text) {
    List<Scope> scopes = new ArrayList<>();
    for (String part : text.split(",")) {
      Scope scope = Scope.parse(part);
      if (scope != null) {
        scopes.add(scope);
      }
    }
    return scopes;
  }

  static List<UUID> accounts(String text) {
    return text.isEmpty() ? null : Arrays.stream(text.split(",")).map(UUID::fromString).toList();
  }
}
