package dev.coffer.api.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes the API's JSON responses, all uncacheable: they carry balances and tokens. */
public final class JsonResponses {
  public static final String CONTENT_TYPE = "application/json; charset=utf-8";

  private JsonResponses() {}

  /** Sends {@code body} with {@code status}. */
  public static Future<Void> send(RoutingContext ctx, int status, JsonObject body) {
    return send(ctx, status, body.toBuffer());
  }

  /** Sends the exact bytes {@code body} with {@code status}. */
  public static Future<Void> send(RoutingContext ctx, int status, Buffer body) {
    HttpServerResponse response = ctx.response();
    return response
        .setStatusCode(status)
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Cache-Control", "no-store")
        .end(body);
  }
}
