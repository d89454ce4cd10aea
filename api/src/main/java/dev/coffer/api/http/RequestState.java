package dev.coffer.api.http;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** What the request log and the load shedder know of one request while it runs. */
public final class RequestState {
  private static final String KEY = "coffer.request";

  private final String id;
  private final long startedNanos;
  private final String clientIp;
  private volatile String route = "unmatched";
  private volatile UUID userId;
  private volatile String traceId;

  public RequestState(String id, long startedNanos, String clientIp) {
    this.id = id;
    this.startedNanos = startedNanos;
    this.clientIp = clientIp;
  }

  /** The state of the request {@code ctx} routes, once the gate has attached it. */
  public static RequestState of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  public void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /** Names the operation's route template (never the raw path, which holds ids). */
  public void route(String template) {
    this.route = template;
  }

  public String id() {
    return id;
  }

  public long startedNanos() {
    return startedNanos;
  }

  public String clientIp() {
    return clientIp;
  }

  /** The route template, "unmatched" until the router names it. */
  public String route() {
    return route;
  }

  /** The authenticated user, or null. */
  public UUID userId() {
    return userId;
  }

  /** The request's trace id (null: tracing off). */
  public String traceId() {
    return traceId;
  }

  public void traceId(String traceId) {
    this.traceId = traceId;
  }

  /** Names the authenticated user, for the log. */
  public void user(UUID userId) {
    this.userId = userId;
  }
}
