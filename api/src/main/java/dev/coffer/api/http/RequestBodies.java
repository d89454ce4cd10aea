package dev.coffer.api.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.math.BigInteger;
import java.util.UUID;

/** Typed reads of a request body and path that the contract's schemas have already checked. */
public final class RequestBodies {
  private RequestBodies() {}

  /** The validated JSON body. */
  public static JsonObject json(RoutingContext ctx) {
    RequestParameter body = RequestValidation.of(ctx).getBody();
    return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
  }

  /** The UUID in path parameter {@code name}; anything that is not a UUID names nothing: 404. */
  public static UUID pathId(RoutingContext ctx, String name) {
    UUID id = uuidOrNull(ctx.pathParam(name));
    if (id == null) {
      throw ProblemException.of("not-found", "no such " + resourceOf(ctx));
    }
    return id;
  }

  private static String resourceOf(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.startsWith("/v1/accounts")) {
      return "account";
    }
    if (path.startsWith("/v1/webhooks")) {
      return "webhook";
    }
    return path.startsWith("/v1/api-keys") ? "API key" : "transfer";
  }

  /** A UUID field (its pattern checked by the schema). */
  public static UUID uuid(JsonObject body, String field) {
    UUID id = uuidOrNull(body.getString(field));
    if (id == null) {
      throw invalid(field, "must be a UUID");
    }
    return id;
  }

  /** An integer field, or {@code fallback} when absent; 1.0 or 1e3 are not integers here. */
  public static long integer(JsonObject body, String field, long fallback) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < 64) {
      return big.longValue();
    }
    throw invalid(field, "must be an integer, without a fraction or an exponent");
  }

  /** A validation problem about one field. */
  public static ProblemException invalid(String field, String message) {
    return new ProblemException(
        Problem.of("validation", field + " " + message)
            .withErrors(
                new JsonArray().add(new JsonObject().put("field", field).put("message", message))));
  }

  /** The UUID {@code text} spells in its canonical 36-character form, or null. */
  public static UUID uuidOrNull(String text) {
    if (text == null || text.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
