package dev.coffer.api.server;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.http.HeadRequests;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.Problem;
import dev.coffer.api.http.RequestState;
import dev.coffer.api.tracing.Tracing;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Every request passes here first, before routing: it gets its {@code X-Request-Id} (the client's
 * when valid, else a new one), it counts against the instance's bound on requests in flight (past
 * it: 503 {@code overloaded} at once, never for health or metrics), and when its response is done
 * it is logged as one JSON line. While the instance drains, responses ask clients to close their
 * connections, so that they reconnect to an instance that stays.
 *
 * <p>One gate per event loop; the in-flight count is shared by the whole instance.
 */
final class RequestGate implements Handler<HttpServerRequest> {
  private static final Logger LOG = Logger.getLogger("coffer.request");
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Router router;
  private final InFlightRequests inFlight;
  private final ClientAddresses clients;
  private final BooleanSupplier draining;
  // Only this gate's event loop touches it.
  private final Map<HttpServerResponse, RequestState> running = new IdentityHashMap<>();

  RequestGate(
      Router router, InFlightRequests inFlight, ClientAddresses clients, BooleanSupplier draining) {
    this.router = router;
    this.inFlight = inFlight;
    this.clients = clients;
    this.draining = draining;
    router.route().order(-1_000).handler(this::attach);
  }

  // The first handler of the router: gives the routing context the request's state. Vert.x Web
  // wraps the request, not its response: the response is the key both sides share.
  private void attach(RoutingContext ctx) {
    RequestState state = running.get(ctx.response());
    if (state != null) {
      state.attach(ctx);
      // Again after a reroute, which starts the response's headers afresh.
      ctx.response().putHeader("X-Request-Id", state.id());
    }
    // HEAD is GET without the body (RFC 9110 9.3.2), so every GET route serves it: routed as a
    // GET, while Vert.x still writes no body for the HEAD the connection received.
    if (ctx.request().method() == HttpMethod.HEAD) {
      HeadRequests.mark(ctx);
      ctx.reroute(HttpMethod.GET, ctx.request().uri());
      return;
    }
    ctx.next();
  }

  @Override
  public void handle(HttpServerRequest request) {
    String given = request.getHeader("X-Request-Id");
    String id =
        given != null && CLIENT_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    RequestState state = new RequestState(id, System.nanoTime(), clients.of(request));
    // Vert.x has started the request's server span by now; the log line is written after it ends.
    state.traceId(Tracing.currentTraceId());
    HttpServerResponse response = request.response();
    response.putHeader("X-Request-Id", id);
    if (draining.getAsBoolean()) {
      response.putHeader("Connection", "close");
    }
    String unreadable = unreadableQuery(request);
    if (unreadable != null) {
      state.route("unreadable");
      JsonResponses.send(response, Problem.of("invalid-parameter", unreadable));
      log(request, state, 400);
      return;
    }
    if (isFormVertxCannotDecode(request)) {
      state.route("unreadable");
      JsonResponses.send(
          response,
          Problem.of("unsupported-media-type", "send the body as application/json; charset=utf-8"));
      log(request, state, 415);
      return;
    }
    boolean exempt = isExempt(request.path());
    AtomicBoolean released = new AtomicBoolean(exempt);
    if (!exempt && !inFlight.tryAcquire()) {
      state.route("shed");
      response.putHeader("Retry-After", "1");
      JsonResponses.send(
          response,
          Problem.of("overloaded", "this instance is at its limit of requests in flight; retry"));
      log(request, state, 503);
      return;
    }
    running.put(response, state);
    Runnable done =
        () -> {
          if (released.compareAndSet(false, true)) {
            inFlight.release();
          }
          if (running.remove(response) != null) {
            log(request, state, response.getStatusCode());
          }
        };
    response.endHandler(v -> done.run());
    response.closeHandler(v -> done.run());
    router.handle(request);
  }

  // Every route reads its query through one decoder: a broken percent-escape is the client's error,
  // answered before anything (routing, limits) looks at it. Decoded once here and cached.
  private static String unreadableQuery(HttpServerRequest request) {
    try {
      request.params();
      return null;
    } catch (IllegalArgumentException e) {
      return "the query string is not validly percent-encoded";
    }
  }

  // Vert.x's body handler decodes a form body only under POST, PUT, PATCH and DELETE and fails
  // the request (a 500) under any other method. No operation takes a form, so it is refused here.
  private static boolean isFormVertxCannotDecode(HttpServerRequest request) {
    String type = request.getHeader("Content-Type");
    if (type == null) {
      return false;
    }
    String media = type.trim().toLowerCase(java.util.Locale.ROOT);
    boolean form =
        media.startsWith("multipart/") || media.startsWith("application/x-www-form-urlencoded");
    HttpMethod method = request.method();
    return form
        && method != HttpMethod.POST
        && method != HttpMethod.PUT
        && method != HttpMethod.PATCH
        && method != HttpMethod.DELETE;
  }

  // Probes and scrapes must answer however busy the instance is.
  private static boolean isExempt(String path) {
    return path != null && (path.startsWith("/health/") || path.equals("/metrics"));
  }

  private void log(HttpServerRequest request, RequestState state, int status) {
    if (!LOG.isLoggable(Level.INFO)) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("requestId", state.id());
    fields.put("method", request.method().name());
    fields.put("route", state.route());
    fields.put("status", status);
    fields.put("durationMs", Math.round((System.nanoTime() - state.startedNanos()) / 1e4) / 100.0);
    fields.put("userId", state.userId() == null ? null : state.userId().toString());
    fields.put("clientIp", state.clientIp());
    if (state.traceId() != null) {
      fields.put("traceId", state.traceId());
    }
    LOG.log(Level.INFO, "request", new Object[] {fields});
  }
}
