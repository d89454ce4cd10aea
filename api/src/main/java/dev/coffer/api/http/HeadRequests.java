package dev.coffer.api.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Requests that arrived as HEAD: they are routed as GET (so every GET route serves them), and
 * Vert.x writes no body for them, but a route whose GET does costly work for its body (an export
 * reads a whole journal) asks here whether it need not.
 */
public final class HeadRequests {
  // Context data survives the reroute from HEAD to GET.
  private static final String KEY = "coffer.head";

  private HeadRequests() {}

  /** Marks {@code ctx} as a HEAD, before it is rerouted as GET. */
  public static void mark(RoutingContext ctx) {
    ctx.put(KEY, Boolean.TRUE);
  }

  /** Whether {@code ctx} arrived as HEAD. */
  public static boolean is(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(KEY));
  }
}
