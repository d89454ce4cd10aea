package dev.coffer.api.session;

import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestState;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requires {@code Authorization: Bearer <token>} naming a live session, and puts the {@link
 * Session} in the routing context. When the session store cannot answer, the request is refused
 * with 503 (it is not the client's fault, and a retry will do): never let through unauthenticated.
 */
public final class SessionAuthentication implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(SessionAuthentication.class.getName());
  private static final String KEY = "coffer.session";

  private final SessionStore sessions;

  public SessionAuthentication(SessionStore sessions) {
    this.sessions = sessions;
  }

  /** The session authenticated for this request. */
  public static Session of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token = bearer(ctx.request().getHeader("Authorization"));
    if (token == null) {
      ctx.fail(ProblemException.of("unauthenticated", "send Authorization: Bearer <token>"));
      return;
    }
    sessions
        .touch(token)
        .onSuccess(
            session -> {
              if (session.isEmpty()) {
                ctx.fail(
                    ProblemException.of(
                        "unauthenticated", "the session token is unknown, expired or revoked"));
                return;
              }
              ctx.put(KEY, session.get());
              RequestState state = RequestState.of(ctx);
              if (state != null) {
                state.user(session.get().userId());
              }
              ctx.next();
            })
        .onFailure(
            e -> {
              LOG.log(Level.WARNING, "session store unavailable: " + e.getMessage());
              ctx.fail(
                  ProblemException.of(
                      "service-unavailable", "sessions cannot be checked right now; retry"));
            });
  }

  static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String value = header.trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
      return null;
    }
    String token = value.substring(space + 1).trim();
    return token.isEmpty() ? null : token;
  }
}
