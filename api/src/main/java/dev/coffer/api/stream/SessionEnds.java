package dev.coffer.api.stream;

import dev.coffer.api.session.Session;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Log-outs told to every instance at once, so that a stream opened with a session closes as soon as
 * the session ends, wherever the log-out was answered. Each user with an open stream on this
 * instance has its channel subscribed on the bus, {@code coffer:session-ended:{u:<user>}} (the
 * user's hash tag); a log-out publishes the ended session's Redis key there. A lost message (a
 * shard failing over) is caught by each stream's periodic session check, which therefore can be
 * rare.
 */
public final class SessionEnds {
  private static final Logger LOG = Logger.getLogger(SessionEnds.class.getName());
  static final String CLOSE_REASON = "session ended: log in again";

  private final StreamBus bus;
  // By user, the streams open on this instance, by session key.
  private final Map<UUID, Map<String, Set<StreamConnection>>> streams = new ConcurrentHashMap<>();
  // By user, the subscription to the user's channel (done once it is listening).
  private final Map<UUID, Future<Void>> listening = new ConcurrentHashMap<>();

  public SessionEnds(StreamBus bus) {
    this.bus = bus;
  }

  /** Tells every instance that {@code session} has ended; a failure only delays the closes. */
  public Future<Void> announce(Session session) {
    return bus.publish(channel(session.userId()), session.key())
        .onFailure(e -> LOG.warning("could not announce a log-out to streams: " + e.getMessage()));
  }

  /**
   * Closes {@code connection} when its session's log-out is announced. The future completes once
   * this instance listens for it: a log-out announced before then is not heard, so the caller
   * checks the session once more at that point.
   */
  Future<Void> watch(StreamConnection connection, Session session) {
    // Atomic per user with unwatch, so a stream is never added to a map being dropped.
    streams.compute(
        session.userId(),
        (user, byKey) -> {
          if (byKey == null) {
            byKey = new ConcurrentHashMap<>();
            listening.put(user, bus.subscribe(channel(user), key -> ended(user, key)));
          }
          byKey
              .computeIfAbsent(session.key(), key -> ConcurrentHashMap.newKeySet())
              .add(connection);
          return byKey;
        });
    Future<Void> subscribed = listening.get(session.userId());
    return subscribed == null ? Future.succeededFuture() : subscribed;
  }

  void unwatch(StreamConnection connection, Session session) {
    streams.computeIfPresent(
        session.userId(),
        (user, byKey) -> {
          byKey.computeIfPresent(
              session.key(),
              (key, connections) -> {
                connections.remove(connection);
                return connections.isEmpty() ? null : connections;
              });
          if (byKey.isEmpty()) {
            listening.remove(user);
            bus.unsubscribe(channel(user));
            return null;
          }
          return byKey;
        });
  }

  private void ended(UUID user, String sessionKey) {
    Map<String, Set<StreamConnection>> byKey = streams.get(user);
    Set<StreamConnection> connections = byKey == null ? null : byKey.get(sessionKey);
    if (connections != null) {
      connections.forEach(c -> c.close((short) 1008, CLOSE_REASON));
    }
  }

  static String channel(UUID user) {
    return "coffer:session-ended:{u:" + user + "}";
  }
}
