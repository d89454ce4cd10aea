package dev.coffer.api.stream;

import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionStore;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.entry.Entry;
import dev.coffer.ledger.entry.JournalTail;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  // The largest seq a client can name exactly: JavaScript's Number.MAX_SAFE_INTEGER.
  private static final long MAX_SEQ = (1L << 53) - 1;
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
  // Accounts asked for whose ownership check has not come back: they count against the cap.
  private final Set<UUID> pending = new HashSet<>();
  private final MessageBudget budget;
  private boolean toldOverBudget;
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
    this.budget = new MessageBudget(settings.messagesPerSecond(), System.nanoTime());
    // Once log-outs are heard, one check covers a log-out announced before that.
    sessionEnds.watch(this, session).onComplete(ar -> checkSession());
    socket.setWriteQueueMaxSize(settings.queueBytes());
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> send(StreamMessages.error("validation", null, "send text")));
    socket.closeHandler(v -> released());
    socket.exceptionHandler(this::failed);
    heartbeatTimer =
        vertx.setPeriodic(settings.heartbeat().toMillis(), id -> send(StreamMessages.HEARTBEAT));
    sessionTimer =
        vertx.setPeriodic(settings.sessionCheckPeriod().toMillis(), id -> checkSession());
  }

  // A frame or message past StreamServer.MAX_MESSAGE_BYTES, or a broken frame, is answered with
  // the close code that says so (1009 too big, 1002 protocol error), not a bare 1000 or a reset,
  // so that the client knows not to send it again.
  private void failed(Throwable e) {
    if (closed) {
      return;
    }
    if (e instanceof CorruptedWebSocketFrameException corrupted) {
      socket.close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
    } else if (String.valueOf(e.getMessage()).contains("max message size")) {
      socket.close((short) 1009, "messages are limited to 64 KiB");
    } else {
      socket.close((short) 1011, "unexpected error");
    }
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
    // Before the frame is even parsed: a socket may not turn frames into work as fast as it can
    // write them. One error tells the client; the frames dropped after it get none, so a flood is
    // not answered by a flood.
    if (!budget.take(System.nanoTime())) {
      if (!toldOverBudget) {
        toldOverBudget = true;
        send(
            StreamMessages.error(
                "rate-limited",
                null,
                "at most "
                    + settings.messagesPerSecond()
                    + " messages a second per connection: this one and the next ones over it are"
                    + " dropped"));
      }
      return;
    }
    toldOverBudget = false;
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
    boolean subscribing = "subscribe".equals(op);
    if (subscribing && list.size() > settings.maxAccountsPerConnection()) {
      // Refused whole, before any query: no message may ask for more than a connection may hold.
      send(
          StreamMessages.error(
              "stream-limit",
              null,
              "a subscribe message names at most "
                  + settings.maxAccountsPerConnection()
                  + " accounts"));
      return;
    }
    // An account named twice in one message is one subscription (the first naming wins).
    Map<UUID, Long> wanted = new LinkedHashMap<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject account) || !(account.getValue("id") instanceof String id)) {
        send(StreamMessages.error("validation", null, "each account is {\"id\", \"since\"?}"));
        continue;
      }
      UUID accountId = RequestBodies.uuidOrNull(id);
      // An API key limited to some accounts is told of the others what a stranger is.
      if (accountId == null || !session.grant().reaches(accountId)) {
        send(StreamMessages.error("not-found", id, "no such account"));
      } else if (!subscribing) {
        if (cursors.remove(accountId) != null) {
          feeds.unwatch(this, accountId);
        }
        send(StreamMessages.unsubscribed(accountId));
      } else {
        Object since = account.getValue("since");
        if (since != null && seq(since) == null) {
          send(
              StreamMessages.error(
                  "validation", id, "since is a seq: an integer from 0 to 9007199254740991"));
        } else if (!wanted.containsKey(accountId)) {
          wanted.put(accountId, since == null ? null : seq(since));
        }
      }
    }
    if (!wanted.isEmpty()) {
      subscribe(wanted);
    }
  }

  // A seq as JSON writes it: an integer (no fraction, no exponent) within JavaScript's exact range,
  // as every seq the ledger hands out is; anything else is null.
  private static Long seq(Object since) {
    if ((since instanceof Integer || since instanceof Long)
        && ((Number) since).longValue() >= 0
        && ((Number) since).longValue() <= MAX_SEQ) {
      return ((Number) since).longValue();
    }
    return null;
  }

  private void subscribe(Map<UUID, Long> wanted) {
    List<UUID> asked = new ArrayList<>();
    for (Map.Entry<UUID, Long> want : wanted.entrySet()) {
      UUID account = want.getKey();
      Long cursor = cursors.get(account);
      if (cursor != null) {
        send(StreamMessages.subscribed(account, cursor));
        continue;
      }
      if (pending.contains(account)) {
        continue; // already asked for, by an earlier message: its answer is on its way
      }
      // Subscriptions still being checked count against the cap, or two quick messages could
      // each see room for all of theirs.
      if (cursors.size() + pending.size() >= settings.maxAccountsPerConnection()) {
        send(
            StreamMessages.error(
                "stream-limit",
                account.toString(),
                "a connection watches at most "
                    + settings.maxAccountsPerConnection()
                    + " accounts"));
        continue;
      }
      pending.add(account);
      asked.add(account);
    }
    if (asked.isEmpty()) {
      return;
    }
    // One query for the whole message, at least as fresh as the session's own last write (so it
    // sees an account the client just opened).
    feeds
        .entries()
        .ownedLastSeqs(session.userId(), asked, session.lastWrite())
        .onComplete(ar -> context.runOnContext(v -> checked(asked, wanted, ar)));
  }

  private void checked(List<UUID> asked, Map<UUID, Long> wanted, AsyncResult<Map<UUID, Long>> ar) {
    asked.forEach(pending::remove);
    if (closed) {
      return;
    }
    if (ar.failed()) {
      asked.forEach(
          account ->
              send(
                  StreamMessages.error(
                      "service-unavailable",
                      account.toString(),
                      "the ledger cannot be read; retry")));
      return;
    }
    List<UUID> live = new ArrayList<>();
    for (UUID account : asked) {
      Long last = ar.result().get(account);
      if (last == null) {
        send(StreamMessages.error("not-found", account.toString(), "no such account"));
        continue;
      }
      Long since = wanted.get(account);
      long cursor = since == null ? last : since;
      cursors.put(account, cursor);
      feeds.watch(this, account);
      send(StreamMessages.subscribed(account, cursor));
      if (since == null) {
        live.add(account);
      } else if (since < last) {
        // History to send first: the feed reads it, pages of 500, through this cursor.
        feeds.read(account, session.lastWrite(), 0);
      }
    }
    if (!live.isEmpty()) {
      // Writes between the check and the bus subscription announced nothing to this instance:
      // one more look for all of them, and a read of those that moved.
      feeds
          .entries()
          .lastSeqs(live)
          .onSuccess(
              seqs ->
                  seqs.forEach(
                      (account, last) -> {
                        Long cursor = cursors.get(account);
                        if (cursor != null && last > cursor) {
                          feeds.read(account, ConsistencyToken.NONE, 0);
                        }
                      }));
    }
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
      if (!send(
          StreamMessages.entry(
              account, entry, tail.available(), tail.monitorsTriggeredAt(entry.seq())))) {
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
    // The client may have gone (its close frame or reset) before this connection's close handler
    // ran: an answer to a query that was in flight then has no one to go to.
    if (socket.isClosed()) {
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
