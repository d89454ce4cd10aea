package dev.coffer.api.apikey;

import dev.coffer.api.access.Access;
import dev.coffer.api.access.Grant;
import dev.coffer.api.access.Scope;
import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.apikey.ApiKeyStore;
import dev.coffer.ledger.apikey.ApiKeyStore.NewKey;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * {@code /v1/api-keys}: create (the key is answered once), list, revoke, and each key's audit
 * trail. A key may manage keys only with {@code api-keys:write}, and only itself and the keys it
 * minted; it never mints one that could do more than it can.
 */
public final class ApiKeyRoutes {
  private static final Logger LOG = Logger.getLogger(ApiKeyRoutes.class.getName());
  private static final Duration MAX_LIFETIME = Duration.ofDays(3653);

  private final ApiKeyStore store;
  private final ApiKeyMirror mirror;
  private final ApiKeyTokens tokens;
  private final ApiKeySettings settings;
  private final WriteReceipts receipts;
  private final ClientAddresses addresses;
  private final Consumer<Session> ended;

  /** {@code ended} is told of each revoked key, so that streams opened with it close. */
  public ApiKeyRoutes(
      ApiKeyStore store,
      ApiKeyMirror mirror,
      ApiKeyTokens tokens,
      ApiKeySettings settings,
      WriteReceipts receipts,
      ClientAddresses addresses,
      Consumer<Session> ended) {
    this.store = store;
    this.mirror = mirror;
    this.tokens = tokens;
    this.settings = settings;
    this.receipts = receipts;
    this.addresses = addresses;
    this.ended = ended;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createApiKey", this::create)
        .on("listApiKeys", this::list)
        .on("deleteApiKey", this::revoke)
        .on("listApiKeyEvents", this::events);
  }

  private Future<?> create(RoutingContext ctx) {
    Session caller = SessionAuthentication.of(ctx);
    Grant mine = Access.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    List<Scope> scopes = scopes(body.getJsonArray("scopes"));
    List<UUID> accounts = accounts(body.getJsonArray("accounts"));
    OffsetDateTime expiresAt = expiry(body.getString("expiresAt"), mine);
    if (accounts != null
        && scopes.stream().anyMatch(s -> s.resource() == Scope.Resource.WEBHOOKS)) {
      throw RequestBodies.invalid(
          "scopes",
          "webhooks and events span every account: a key limited to accounts cannot have a"
              + " webhooks scope");
    }
    Grant wanted =
        Grant.of(scopes, accounts, null, expiresAt == null ? null : expiresAt.toInstant());
    String excess = mine.firstExcess(wanted);
    if (excess != null) {
      throw Access.insufficient(
          excess, "a key cannot create a key that may do more than it: it lacks " + excess);
    }
    UUID user = caller.userId();
    UUID keyId = Uuids.timeOrdered();
    String token = tokens.issue(user, keyId);
    ApiKeyTokens.Parsed parsed = tokens.parse(token);
    byte[] hmac = tokens.secretHmac(parsed.secret());
    List<String> scopeNames = wanted.scopes();
    Future<Boolean> owned =
        accounts == null ? Future.succeededFuture(true) : store.ownsAll(user, accounts);
    return owned
        .compose(
            all -> {
              if (!all) {
                throw RequestBodies.invalid("accounts", "must all be accounts of yours");
              }
              // Redis first: if it cannot answer, nothing is stored; an entry whose key is never
              // stored (the database refused) is unusable, as no one was given its secret.
              return mirror
                  .put(
                      user,
                      keyId,
                      ApiKeyTokens.hex(hmac),
                      String.join(",", scopeNames),
                      ApiKeyMirror.accounts(accounts),
                      expiresAt)
                  .recover(e -> unavailable("API keys cannot be created right now; retry"));
            })
        .compose(
            v ->
                store.create(
                    new NewKey(
                        keyId,
                        user,
                        mine.keyId(),
                        body.getString("name"),
                        hmac,
                        scopeNames,
                        accounts,
                        expiresAt),
                    settings.maxPerUser(),
                    addresses.of(ctx.request())))
        .compose(
            committed -> {
              if (committed.value() == null) {
                mirror.revoke(user, List.of(keyId));
                throw RequestBodies.invalid(
                    "name",
                    "is one too many: at most "
                        + settings.maxPerUser()
                        + " live API keys per user (or the key creating it was just revoked)");
              }
              JsonObject json =
                  ApiKeyJson.key(
                          committed.value(), ApiKeyTokens.publicPart(token), null, Instant.now())
                      .put("key", token);
              ctx.response().putHeader("Location", "/v1/api-keys/" + keyId);
              ctx.response().putHeader("Cache-Control", "no-store");
              return receipts.send(ctx, committed.token(), 201, json.toBuffer(), false);
            });
  }

  private Future<?> list(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    UUID before = Pages.after(request, "api-key", UUID::fromString);
    UUID user = SessionAuthentication.of(ctx).userId();
    return store
        .page(user, before, limit + 1, Access.of(ctx).keyId(), ReadConsistency.required(ctx))
        .compose(
            rows ->
                mirror
                    .lastUsed(user, rows.stream().map(ApiKeyStore.ApiKey::id).toList())
                    // Last use is a convenience: the stored time (to the latest new address) will
                    // do.
                    .otherwise(Map.of())
                    .compose(
                        used -> {
                          Instant now = Instant.now();
                          return JsonResponses.send(
                              ctx,
                              200,
                              Pages.page(
                                  rows,
                                  limit,
                                  "api-key",
                                  k ->
                                      ApiKeyJson.key(
                                          k,
                                          tokens.publicPart(user, k.id()),
                                          used.get(k.id()),
                                          now),
                                  k -> k.id().toString()));
                        }));
  }

  private Future<?> revoke(RoutingContext ctx) {
    UUID id = RequestBodies.pathId(ctx, "id");
    UUID user = SessionAuthentication.of(ctx).userId();
    return store
        .revoke(user, id, addresses.of(ctx.request()), Access.of(ctx).keyId())
        .compose(
            committed ->
                mirror
                    .revoke(user, committed.value())
                    .recover(
                        e -> {
                          LOG.warning("revoked API keys still in Redis: " + e.getMessage());
                          return unavailable(
                              "the key is revoked but not yet on every instance; retry");
                        })
                    .map(
                        v -> {
                          committed
                              .value()
                              .forEach(
                                  key ->
                                      ended.accept(
                                          new Session(
                                              user,
                                              ApiKeyMirror.entry(user, key),
                                              ConsistencyToken.NONE)));
                          return committed;
                        }))
        .compose(committed -> receipts.send(ctx, committed.token(), 204, Buffer.buffer(), false));
  }

  private Future<?> events(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    UUID before = Pages.after(request, "api-key-event", UUID::fromString);
    UUID id = RequestBodies.pathId(ctx, "id");
    return store
        .events(
            SessionAuthentication.of(ctx).userId(),
            id,
            before,
            limit + 1,
            Access.of(ctx).keyId(),
            ReadConsistency.required(ctx))
        .compose(
            rows ->
                JsonResponses.send(
                    ctx,
                    200,
                    Pages.page(
                        rows, limit, "api-key-event", ApiKeyJson::event, e -> e.id().toString())));
  }

  // The contract allows only known scopes; a resource named twice keeps its highest level.
  private static List<Scope> scopes(JsonArray names) {
    List<Scope> scopes = new ArrayList<>();
    for (Object name : names) {
      Scope scope = Scope.parse(String.valueOf(name));
      if (scope == null) {
        throw RequestBodies.invalid("scopes", "unknown scope " + name);
      }
      scopes.add(scope);
    }
    return scopes;
  }

  private static List<UUID> accounts(JsonArray ids) {
    if (ids == null) {
      return null;
    }
    LinkedHashSet<UUID> accounts = new LinkedHashSet<>();
    for (Object id : ids) {
      UUID account = RequestBodies.uuidOrNull(String.valueOf(id));
      if (account == null) {
        throw RequestBodies.invalid("accounts", "must be account ids");
      }
      accounts.add(account);
    }
    return List.copyOf(accounts);
  }

  // A key's expiry, when given, is in the future; a key made by a key with an expiry ends with it
  // at the latest (given none, it inherits it).
  private static OffsetDateTime expiry(String text, Grant creator) {
    OffsetDateTime inherited =
        creator.expiresAt() == null ? null : creator.expiresAt().atOffset(ZoneOffset.UTC);
    if (text == null) {
      return inherited;
    }
    OffsetDateTime at;
    try {
      at = OffsetDateTime.parse(text);
    } catch (DateTimeParseException e) {
      throw RequestBodies.invalid("expiresAt", "must be an RFC 3339 time with an offset");
    }
    Instant now = Instant.now();
    if (!at.toInstant().isAfter(now)) {
      throw RequestBodies.invalid("expiresAt", "must be in the future");
    }
    if (at.toInstant().isAfter(now.plus(MAX_LIFETIME))) {
      throw RequestBodies.invalid("expiresAt", "must be within 10 years (or left out)");
    }
    return at;
  }

  private static <T> Future<T> unavailable(String detail) {
    return Future.failedFuture(ProblemException.of("service-unavailable", detail));
  }
}
