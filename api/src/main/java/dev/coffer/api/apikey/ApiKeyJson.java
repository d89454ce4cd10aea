package dev.coffer.api.apikey;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.apikey.ApiKeyStore.ApiKey;
import dev.coffer.ledger.apikey.ApiKeyStore.KeyEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** API keys and their events as the API shows them; never a secret, but once on creation. */
final class ApiKeyJson {
  private ApiKeyJson() {}

  static JsonObject key(ApiKey key, String prefix, Long lastUsedMillis, Instant now) {
    OffsetDateTime lastUsed = key.lastUsedAt();
    if (lastUsedMillis != null) {
      OffsetDateTime redis = Instant.ofEpochMilli(lastUsedMillis).atOffset(ZoneOffset.UTC);
      lastUsed = lastUsed == null || redis.isAfter(lastUsed) ? redis : lastUsed;
    }
    return new JsonObject()
        .put("id", ApiJson.id(key.id()))
        .put("name", key.name())
        .put("prefix", prefix)
        .put("scopes", new JsonArray(key.scopes()))
        .put(
            "accounts",
            key.accounts() == null
                ? null
                : new JsonArray(key.accounts().stream().map(UUID::toString).toList()))
        .put("status", status(key, now))
        .put("createdAt", ApiJson.time(key.createdAt()))
        .put("expiresAt", ApiJson.time(key.expiresAt()))
        .put("lastUsedAt", ApiJson.time(lastUsed))
        .put("revokedAt", ApiJson.time(key.revokedAt()))
        .put("createdByKey", ApiJson.id(key.parent()));
  }

  private static String status(ApiKey key, Instant now) {
    if (key.revokedAt() != null) {
      return "revoked";
    }
    if (key.expiresAt() != null && !key.expiresAt().toInstant().isAfter(now)) {
      return "expired";
    }
    return "active";
  }

  static JsonObject event(KeyEvent event) {
    return new JsonObject()
        .put("id", ApiJson.id(event.id()))
        .put("keyId", ApiJson.id(event.keyId()))
        .put("type", event.type())
        .put("address", event.address())
        .put("createdAt", ApiJson.time(event.at()));
  }
}
