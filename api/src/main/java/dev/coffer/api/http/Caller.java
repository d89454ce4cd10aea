package dev.coffer.api.http;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * Who sent a request, once authentication has run: the user's id, or none. Stages after
 * authentication (rate limits) read it here, so that they need not know how sessions work.
 */
public final class Caller {
  private static final String KEY = "coffer.caller";

  private Caller() {}

  /** Records that {@code ctx}'s request comes from {@code userId}. */
  public static void authenticated(RoutingContext ctx, UUID userId) {
    ctx.put(KEY, userId);
    RequestState state = RequestState.of(ctx);
    if (state != null) {
      state.user(userId);
    }
  }

  /** The authenticated user, or null for an anonymous request. */
  public static UUID userId(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
