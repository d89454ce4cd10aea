package dev.coffer.api.http;

import dev.coffer.api.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes the API's responses, all uncacheable: they carry balances and tokens. The header names and
 * values are made once, so the hot path neither allocates nor re-encodes them.
 */
public final class JsonResponses {
  public static final String CONTENT_TYPE = "application/json; charset=utf-8";
  private static final CharSequence JSON = HttpHeaders.createOptimized(CONTENT_TYPE);
  private static final CharSequence PROBLEM_JSON =
      HttpHeaders.createOptimized(Problem.CONTENT_TYPE);
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private JsonResponses() {}

  /** Sends {@code body} with {@code status}. */
  public static Future<Void> send(RoutingContext ctx, int status, JsonObject body) {
    return send(ctx, status, body.toBuffer());
  }

  /** Sends the exact bytes {@code body} with {@code status}. */
  public static Future<Void> send(RoutingContext ctx, int status, Buffer body) {
    return uncacheable(ctx.response(), status, JSON).end(body);
  }

  /** Sends {@code problem} as problem+json. */
  public static Future<Void> send(HttpServerResponse response, Problem problem) {
    // A server error names its trace: the operator finds the request's path from the client's
    // report.
    String traceId = problem.status() >= 500 ? Tracing.currentTraceId() : null;
    return uncacheable(response, problem.status(), PROBLEM_JSON).end(problem.toBuffer(traceId));
  }

  /** Answers 204 with no body. */
  public static Future<Void> noContent(RoutingContext ctx) {
    return ctx.response().setStatusCode(204).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE).end();
  }

  private static HttpServerResponse uncacheable(
      HttpServerResponse response, int status, CharSequence contentType) {
    return response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
  }
}
