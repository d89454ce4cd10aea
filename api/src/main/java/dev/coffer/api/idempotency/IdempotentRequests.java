package dev.coffer.api.idempotency;

import dev.coffer.api.digest.Digests;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns a request's {@code Idempotency-Key} into the ledger's key: scoped to the user, with a
 * fingerprint of the method, the path and the canonical body (keys sorted, whitespace gone), so the
 * same request sent with different formatting is still the same request.
 */
public final class IdempotentRequests {
  private IdempotentRequests() {}

  /** The key for this request of {@code userId}'s (the header was checked by validation). */
  public static IdempotencyKey key(RoutingContext ctx, UUID userId, JsonObject body) {
    String text =
        ctx.request().method().name()
            + " "
            + ctx.normalizedPath()
            + "\n"
            + (body == null ? "" : canonical(body));
    return new IdempotencyKey(
        userId, ctx.request().getHeader("Idempotency-Key"), Digests.sha256Hex(text));
  }

  static String canonical(JsonObject body) {
    return ((JsonObject) canonicalValue(body)).encode();
  }

  private static Object canonicalValue(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> sorted = new TreeMap<>();
      object.forEach(e -> sorted.put(e.getKey(), canonicalValue(e.getValue())));
      return new JsonObject(sorted);
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(v -> out.add(canonicalValue(v)));
      return out;
    }
    return value;
  }
}
