package dev.coffer.api.stream;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts {@code /v1/stream} WebSockets on one event loop. The session token comes as the
 * sub-protocol {@code bearer.<token>} (browsers cannot set headers on a WebSocket) and is echoed in
 * the handshake; a missing or dead token is refused with 401 before the upgrade, and a handshake
 * past its user's (or, without a session, its address's) limit with 429 (see {@link
 * StreamAdmission}).
 */
public final class StreamServer implements Handler<ServerWebSocketHandshake> {
  public static final String PATH = "/v1/stream";

  /**
   * The largest frame, and message, a client may send (a subscribe of 100 accounts is about 6 KB);
   * past it the stream closes with 1009.
   */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private static final String PREFIX = "bearer.";

  private final Vertx vertx;
  private final SessionStore sessions;
  private final StreamAdmission admission;
  private final ClientAddresses clients;
  private final AccountFeeds feeds;
  private final SessionEnds sessionEnds;
  private final StreamSettings settings;
  private final Map<UUID, AtomicInteger> perUser;
  private final Set<StreamConnection> open = ConcurrentHashMap.newKeySet();

  /** {@code perUser} counts connections by user over the whole instance. */
  public StreamServer(
      Vertx vertx,
      SessionStore sessions,
      SessionAuthentication authentication,
      AccountFeeds feeds,
      SessionEnds sessionEnds,
      StreamSettings settings,
      Map<UUID, AtomicInteger> perUser,
      SlidingWindowLimiter limiter,
      RateLimitSettings rateLimits,
      ClientAddresses clients) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.admission = new StreamAdmission(authentication, limiter, rateLimits);
    this.clients = clients;
    this.feeds = feeds;
    this.sessionEnds = sessionEnds;
    this.settings = settings;
    this.perUser = perUser;
  }

  /** A plain GET of the stream's path: it is a WebSocket, nothing else. */
  public static void addTo(OperationHandlers handlers) {
    handlers.raw(
        "openStream",
        ctx -> {
          ctx.response().putHeader("Upgrade", "websocket");
          ctx.fail(
              ProblemException.of(
                  "upgrade-required",
                  "open a WebSocket, with the session token as the sub-protocol bearer.<token>"));
        });
  }

  @Override
  public void handle(ServerWebSocketHandshake handshake) {
    if (!PATH.equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String token = token(handshake.headers().getAll("Sec-WebSocket-Protocol"));
    SocketAddress peer = handshake.remoteAddress();
    String address =
        clients.of(
            peer == null ? "unknown" : peer.hostAddress(),
            handshake.headers().getAll("X-Forwarded-For"));
    admission
        .admit(token, address)
        .onSuccess(
            admitted -> {
              switch (admitted.verdict()) {
                case UNAUTHENTICATED -> handshake.reject(401);
                case FORBIDDEN -> handshake.reject(403);
                case RATE_LIMITED -> handshake.reject(429);
                case UNAVAILABLE -> handshake.reject(503);
                case ACCEPTED -> accept(handshake, admitted.session());
              }
            });
  }

  private void accept(ServerWebSocketHandshake handshake, Session session) {
    handshake
        .accept()
        .onSuccess(
            socket -> {
              UUID user = session.userId();
              AtomicInteger count = perUser.computeIfAbsent(user, u -> new AtomicInteger());
              if (count.incrementAndGet() > settings.maxConnectionsPerUser()) {
                count.decrementAndGet();
                socket.writeTextMessage(
                    StreamMessages.error(
                        "stream-limit",
                        null,
                        "a user holds at most "
                            + settings.maxConnectionsPerUser()
                            + " stream connections per instance"));
                socket.close((short) 1008, "too many stream connections");
                return;
              }
              feeds.metrics().connections.incrementAndGet();
              StreamConnection[] self = new StreamConnection[1];
              self[0] =
                  new StreamConnection(
                      vertx,
                      socket,
                      session,
                      sessions,
                      feeds,
                      sessionEnds,
                      settings,
                      () -> {
                        open.remove(self[0]);
                        count.decrementAndGet();
                        feeds.metrics().connections.decrementAndGet();
                      });
              open.add(self[0]);
            });
  }

  /**
   * Closes this event loop's streams (1001), so their clients reconnect to an instance that stays.
   */
  public Future<Void> closeAll() {
    List<StreamConnection> all = new ArrayList<>(open);
    all.forEach(c -> c.close((short) 1001, "instance shutting down: reconnect with since"));
    return Future.succeededFuture();
  }

  // The token from "bearer.<token>" among the offered sub-protocols.
  static String token(List<String> headers) {
    for (String header : headers) {
      for (String offered : header.split(",")) {
        String protocol = offered.trim();
        if (protocol.startsWith(PREFIX) && protocol.length() > PREFIX.length()) {
          return protocol.substring(PREFIX.length());
        }
      }
    }
    return null;
  }
}
