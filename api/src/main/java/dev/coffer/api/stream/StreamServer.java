package dev.coffer.api.stream;

import dev.coffer.api.access.Scope;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocketHandshake;
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
 * the handshake; a missing or dead token is refused with 401 before the upgrade.
 */
public final class StreamServer implements Handler<ServerWebSocketHandshake> {
  public static final String PATH = "/v1/stream";
  private static final String PREFIX = "bearer.";
  private static final Scope STREAM_READ = new Scope(Scope.Resource.STREAM, Scope.Level.READ);

  private final Vertx vertx;
  private final SessionStore sessions;
  private final SessionAuthentication authentication;
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
      Map<UUID, AtomicInteger> perUser) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.authentication = authentication;
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
    if (token == null) {
      handshake.reject(401);
      return;
    }
    authentication
        .authenticate(token, handshake.remoteAddress().hostAddress())
        .onFailure(e -> handshake.reject(503))
        .onSuccess(
            session -> {
              if (session.isEmpty()) {
                handshake.reject(401);
                return;
              }
              // An API key needs stream:read (a session may always open the stream).
              if (!session.get().grant().allows(STREAM_READ)) {
                handshake.reject(403);
                return;
              }
              handshake
                  .accept()
                  .onSuccess(
                      socket -> {
                        UUID user = session.get().userId();
                        AtomicInteger count =
                            perUser.computeIfAbsent(user, u -> new AtomicInteger());
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
                                session.get(),
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
