package dev.coffer.api.stream;

import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionStore;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.entry.Entry;
import dev.coffer.ledger.entry.JournalTail;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's WebSocket on {@code /v1/stream}. For each account it watches it keeps a cursor, the
 * last seq it sent; it sends an entry only when its seq is the cursor plus one, so nothing is sent
 * twice and nothing is skipped (a gap asks the feed to read again). Everything it does runs on its
 * own event loop. It never buffers: what it writes goes to the socket's bounded write queue, and a
 * client that lets that queue fill is closed with 1008.
 */
final class StreamConnection {
  private final Vertx vertx;
  private final Context context;
  private final ServerWebSocket socket;
  private final Session session;
  private final SessionStore sessions;
  private final AccountFeeds feeds;
  private final SessionEnds sessionEnds;
  private final StreamSettings settings;
  private final Runnable onClose;
  private final Map<UUID, Long> cursors = new ConcurrentHashMap<>();
  private final long heartbeatTimer;
  private final long sessionTimer;
  private boolean closed;
  private boolean released;

  StreamConnection(
      Vertx vertx,
      ServerWebSocket socket,
      Session session,
      SessionStore sessions,
      AccountFeeds feeds,
      SessionEnds sessionEnds,
      StreamSettings settings,
      Runnable onClose) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.socket = socket;
    this.session = session;
    this.sessions = sessions;
    this.feeds = feeds;
    this.settings = settings;
    this.sessionEnds = sessionEnds;
    this.onClose = onClose;
    // Once log-outs are heard, one check covers a log-out announced before that.
    sessionEnds.watch(this, session).onComplete(ar -> checkSession());
    socket.setWriteQueueMaxSize(settings.queueBytes());
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> send(StreamMessages.error("validation", null, "send text")));
    socket.closeHandler(v -> released());
    socket.exceptionHandler(e -> socket.close());
    heartbeatTimer =
        vertx.setPeriodic(settings.heartbeat().toMillis(), id -> send(StreamMessages.HEARTBEAT));
    sessionTimer =
        vertx.setPeriodic(settings.sessionCheckPeriod().toMillis(), id -> checkSession());
  }

  UUID userId() {
    return session.userId();
  }

  Long cursor(UUID account) {
    return cursors.get(account);
  }

  /** Closes the socket with {@code code} and {@code reason}. */
  void close(short code, String reason) {
    context.runOnContext(
        v -> {
          if (!closed) {
            socket.close(code, reason);
          }
        });
  }

  private void released() {
    if (released) {
      return;
    }
    released = true;
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(sessionTimer);
    cursors.keySet().forEach(account -> feeds.unwatch(this, account));
    cursors.clear();
    sessionEnds.unwatch(this, session);
    onClose.run();
  }

  private void checkSession() {
    sessions
        .alive(session.key())
        .onSuccess(
            alive -> {
              if (!alive) {
                close((short) 1008, SessionEnds.CLOSE_REASON);
              }
            });
  }

  private void onText(String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      send(StreamMessages.error("malformed-json", null, "send one JSON object per message"));
      return;
    }
    Object op = message.getValue("op");
    Object accounts = message.getValue("accounts");
    if (!("subscribe".equals(op) || "unsubscribe".equals(op))
        || !(accounts instanceof JsonArray list)) {
      send(
          StreamMessages.error(
              "validation",
              null,
              "send {\"op\": \"subscribe\"|\"unsubscribe\", \"accounts\": [...]}"));
      return;
    }
    for (Object item : list) {
      if (!(item instanceof JsonObject account) || !(account.getValue("id") instanceof String id)) {
        send(StreamMessages.error("validation", null, "each account is {\"id\", \"since\"?}"));
        continue;
      }
      UUID accountId = RequestBodies.uuidOrNull(id);
      // An API key limited to some accounts is told of the others what a stranger is.
      if (accountId == null || !session.grant().reaches(accountId)) {
        send(StreamMessages.error("not-found", id, "no such account"));
      } else if ("unsubscribe".equals(op)) {
        if (cursors.remove(accountId) != null) {
          feeds.unwatch(this, accountId);
        }
        send(StreamMessages.unsubscribed(accountId));
      } else {
        Object since = account.getValue("since");
        if (since != null && !(since instanceof Number n && n.longValue() >= 0)) {
          send(StreamMessages.error("validation", id, "since is a seq: an integer from 0"));
        } else {
          subscribe(accountId, since == null ? null : ((Number) since).longValue());
        }
      }
    }
  }

  private void subscribe(UUID account, Long since) {
    if (cursors.containsKey(account)) {
      send(StreamMessages.subscribed(account, cursors.get(account)));
      return;
    }
    if (cursors.size() >= settings.maxAccountsPerConnection()) {
      send(
          StreamMessages.error(
              "stream-limit",
              account.toString(),
              "a connection watches at most " + settings.maxAccountsPerConnection() + " accounts"));
      return;
    }
    // Read at least as fresh as the session's own last write, so it sees what it just did.
    ConsistencyToken fresh = session.lastWrite();
    feeds
        .entries()
        .tail(
            session.userId(),
            account,
            since == null ? Long.MAX_VALUE : since,
            AccountFeeds.PAGE,
            fresh)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (closed) {
                        return;
                      }
                      if (ar.failed()) {
                        boolean notFound = ar.cause() instanceof LedgerException;
                        send(
                            StreamMessages.error(
                                notFound ? "not-found" : "service-unavailable",
                                account.toString(),
                                notFound ? "no such account" : "the ledger cannot be read; retry"));
                        return;
                      }
                      JournalTail tail = ar.result();
                      long cursor = since == null ? tail.lastSeq() : since;
                      cursors.put(account, cursor);
                      feeds.watch(this, account);
                      send(StreamMessages.subscribed(account, cursor));
                      if (since != null) {
                        deliverNow(tail, 0);
                      }
                      if (tail.hasMore() || since == null) {
                        // More history than a page, or writes since the read: the feed reads on.
                        feeds.read(account, ConsistencyToken.NONE, 0);
                      }
                    }));
  }

  /** Sends the entries of {@code tail} this client has not had yet, in seq order. */
  void deliver(JournalTail tail, long announcedAt) {
    context.runOnContext(v -> deliverNow(tail, announcedAt));
  }

  private void deliverNow(JournalTail tail, long announcedAt) {
    UUID account = tail.accountId();
    Long cursor = cursors.get(account);
    if (closed || cursor == null) {
      return;
    }
    long next = cursor;
    for (Entry entry : tail.entries()) {
      if (entry.seq() <= next) {
        continue;
      }
      if (entry.seq() > next + 1) {
        // Read from further back than this client has had: ask for what lies between.
        feeds.read(account, ConsistencyToken.NONE, 0);
        break;
      }
      if (!send(StreamMessages.entry(account, entry, tail.available()))) {
        return;
      }
      feeds.metrics().messages.increment();
      feeds.metrics().sentSince(announcedAt);
      next = entry.seq();
    }
    long sent = next;
    cursors.computeIfPresent(account, (a, old) -> Math.max(old, sent));
  }

  // Writes one message; a client whose queue is full is closed rather than buffered for.
  private boolean send(String message) {
    if (closed) {
      return false;
    }
    if (socket.writeQueueFull()) {
      feeds.metrics().slowConsumerCloses.increment();
      closed = true;
      socket.close(
          (short) 1008, "slow consumer: messages were not read fast enough; reconnect with since");
      released();
      return false;
    }
    socket.writeTextMessage(message);
    return true;
  }
}
