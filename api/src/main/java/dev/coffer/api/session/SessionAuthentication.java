package dev.coffer.api.session;

import dev.coffer.api.access.Access;
import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.http.Caller;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.ratelimit.RateLimiting;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Authentication in two stages. {@link #resolve} looks up the session that {@code Authorization:
 * Bearer <token>} names and, when it is live, puts it in the routing context; a request without a
 * token, or with one that names no session, goes on as anonymous (so the anonymous rate limit,
 * which runs next, counts it by address). {@link #require} then refuses anonymous requests with
 * 401. When the session store cannot answer, the request is refused with 503 (it is not the
 * client's fault, and a retry will do): never let through unauthenticated.
 */
public final class SessionAuthentication {
  private static final Logger LOG = Logger.getLogger(SessionAuthentication.class.getName());
  private static final String KEY = "coffer.session";
  private static final String UNKNOWN_TOKEN = "coffer.session.unknown";

  private final SessionStore sessions;
  private final Credentials others;
  private final ClientAddresses addresses;

  /**
   * Another kind of bearer token than a session's (API keys), recognised by its form, resolved to
   * the same {@link Session} with what it is granted.
   */
  public interface Credentials {
    /** Whether {@code token} has this kind's form (a cheap check, no I/O). */
    boolean recognizes(String token);

    /**
     * The live credential {@code token} names, with the decisions of {@code userLimits} counted in
     * the same call when it can; empty when unknown, expired or revoked. {@code address} is the
     * client's, for the credential's audit trail.
     */
    Future<Optional<SessionStore.Touch>> touch(
        String token, List<RateLimitPolicy> userLimits, String address);
  }

  public SessionAuthentication(
      SessionStore sessions, Credentials others, ClientAddresses addresses) {
    this.sessions = sessions;
    this.others = others;
    this.addresses = addresses;
  }

  /** The session authenticated for this request. */
  public static Session of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /**
   * The first stage, on operations that require a token: finds the session, if any, and counts the
   * request against {@code userLimits} in the same Redis call when its token allows (see {@link
   * SessionStore}); those decisions are handed to the rate limiter's stage.
   */
  public Handler<RoutingContext> resolver(List<RateLimitPolicy> userLimits) {
    return ctx -> resolve(ctx, userLimits);
  }

  /**
   * The live credential {@code token} names (a session or another kind), counting nothing: for the
   * stream's handshake. {@code address} is the client's.
   */
  public Future<Optional<Session>> authenticate(String token, String address) {
    return touch(token, List.of(), address).map(touch -> touch.map(SessionStore.Touch::session));
  }

  /**
   * The live credential {@code token} names (a session or another kind), with {@code userLimits}
   * counted in the same call when it can (see {@link SessionStore#touch(String, List)}); empty when
   * unknown, expired or revoked. {@code address} is the client's.
   */
  public Future<Optional<SessionStore.Touch>> touch(
      String token, List<RateLimitPolicy> userLimits, String address) {
    return others != null && others.recognizes(token)
        ? others.touch(token, userLimits, address)
        : sessions.touch(token, userLimits);
  }

  private void resolve(RoutingContext ctx, List<RateLimitPolicy> userLimits) {
    String token = bearer(ctx.request().getHeader("Authorization"));
    if (token == null) {
      ctx.next();
      return;
    }
    touch(token, userLimits, addresses.of(ctx.request()))
        .onSuccess(
            touch -> {
              if (touch.isEmpty()) {
                ctx.put(UNKNOWN_TOKEN, true);
              } else {
                Session session = touch.get().session();
                ctx.put(KEY, session);
                Access.grant(ctx, session.grant());
                Caller.authenticated(ctx, session.userId());
                if (!touch.get().decisions().isEmpty()) {
                  RateLimiting.decidedAhead(ctx, touch.get().decisions());
                }
              }
              ctx.next();
            })
        .onFailure(
            e -> {
              LOG.log(Level.WARNING, "session store unavailable: " + e.getMessage());
              ctx.fail(
                  e instanceof ProblemException problem
                      ? problem
                      : ProblemException.of(
                          "service-unavailable", "sessions cannot be checked right now; retry"));
            });
  }

  /** The second stage: only a request with a live session goes further. */
  public static void require(RoutingContext ctx) {
    if (of(ctx) != null) {
      ctx.next();
    } else if (Boolean.TRUE.equals(ctx.get(UNKNOWN_TOKEN))) {
      ctx.fail(
          ProblemException.of(
              "unauthenticated", "the session token is unknown, expired or revoked"));
    } else {
      ctx.fail(ProblemException.of("unauthenticated", "send Authorization: Bearer <token>"));
    }
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
