package dev.coffer.api.http;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** What the request log and the load shedder know of one request while it runs. */
public final class RequestState {
  private static final String KEY = "coffer.request";

  final String id;
  final long startedNanos;
  final String clientIp;
  volatile String route = "unmatched";
  volatile UUID userId;

  RequestState(String id, long startedNanos, String clientIp) {
    this.id = id;
    this.startedNanos = startedNanos;
    this.clientIp = clientIp;
  }

  /** The state of the request {@code ctx} routes, once the gate has attached it. */
  public static RequestState of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /** Names the operation's route template (never the raw path, which holds ids). */
  public void route(String template) {
    this.route = template;
  }

  /** Names the authenticated user, for the log. */
  public void user(UUID userId) {
    this.userId = userId;
  }
}
