package dev.coffer.sdk.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.sdk.model.Entry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The stream of new journal entries of the accounts subscribed to (docs/stream.md), over one
 * WebSocket that is opened again whenever it closes, until {@link #close()}. Each account's last
 * delivered seq is kept, and every (re)subscription sends it as {@code since}: entries arrive in
 * seq order per account with no gap and no duplicate across reconnects, on any instance.
 */
public final class CofferStream implements AutoCloseable {
  /** What the stream delivers; called on one thread at a time. */
  public interface Listener {
    void onEntry(String accountId, Entry entry, long balance, long available);

    /** An {@code error} message of the service (e.g. {@code not-found} for an account). */
    default void onError(String code, String accountId, String message) {}

    /** The connection is open and every subscription was sent again. */
    default void onConnected() {}
  }

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final HttpClient http;
  private final URI uri;
  private final String token;
  private final ObjectMapper json;
  private final Listener listener;
  private final Map<String, Long> lastSeqs = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reconnects =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "coffer-stream-reconnect");
            thread.setDaemon(true);
            return thread;
          });
  private volatile WebSocket socket;
  private volatile boolean closed;
  private int failures;

  public CofferStream(
      HttpClient http, URI base, String token, ObjectMapper json, Listener listener) {
    this.http = http;
    this.uri = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/v1/stream");
    this.token = token;
    this.json = json;
    this.listener = listener;
  }

  /** Opens the connection; waits until it is open (or fails). */
  public CofferStream connect() {
    open().join();
    return this;
  }

  /**
   * Follows {@code accountId} from after {@code since} (its whole history from 0; only new entries
   * when null), now and after every reconnect.
   */
  public synchronized void subscribe(String accountId, Long since) {
    lastSeqs.compute(accountId, (id, held) -> since != null ? since : held != null ? held : -1L);
    WebSocket open = socket;
    if (open != null) {
      send(open, List.of(accountId));
    }
  }

  /** The last seq delivered for {@code accountId}, or null when none was. */
  public Long lastSeq(String accountId) {
    Long seq = lastSeqs.get(accountId);
    return seq == null || seq < 0 ? null : seq;
  }

  /** Drops the connection as a network failure would; the stream reconnects and resumes. */
  public void dropConnection() {
    WebSocket open = socket;
    if (open != null) {
      socket = null;
      open.abort();
      scheduleReconnect();
    }
  }

  @Override
  public void close() {
    closed = true;
    reconnects.shutdownNow();
    WebSocket open = socket;
    if (open != null) {
      open.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
  }

  private CompletableFuture<WebSocket> open() {
    return http.newWebSocketBuilder()
        .subprotocols("bearer." + token)
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(uri, new Handler())
        .thenApply(
            ws -> {
              synchronized (this) {
                socket = ws;
                failures = 0;
                send(ws, List.copyOf(lastSeqs.keySet()));
              }
              listener.onConnected();
              return ws;
            });
  }

  private void send(WebSocket ws, List<String> accounts) {
    if (accounts.isEmpty()) {
      return;
    }
    ObjectNode message = json.createObjectNode().put("op", "subscribe");
    ArrayNode list = message.putArray("accounts");
    for (String id : accounts) {
      ObjectNode account = list.addObject().put("id", id);
      Long since = lastSeqs.get(id);
      if (since != null && since >= 0) {
        account.put("since", since);
      }
    }
    ws.sendText(message.toString(), true);
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    socket = null;
    long cap = Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(failures++, 10));
    long delay = ThreadLocalRandom.current().nextLong(cap + 1);
    try {
      reconnects.schedule(
          () ->
              open()
                  .exceptionally(
                      e -> {
                        scheduleReconnect();
                        return null;
                      }),
          delay,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  private void deliver(String text) {
    JsonNode message;
    try {
      message = json.readTree(text);
    } catch (Exception e) {
      return;
    }
    String type = message.path("type").asText();
    String accountId = message.path("accountId").asText(null);
    switch (type) {
      case "entry" -> {
        Entry entry = json.convertValue(message.get("entry"), Entry.class);
        Long held = lastSeqs.get(accountId);
        // Only the next seq: nothing twice, even if a resume overlaps what was delivered.
        if (held == null || entry.getSeq() > held) {
          lastSeqs.put(accountId, entry.getSeq());
          listener.onEntry(
              accountId,
              entry,
              message.path("balance").asLong(),
              message.path("available").asLong());
        }
      }
      case "subscribed" ->
          lastSeqs.computeIfPresent(
              accountId, (id, held) -> held < 0 ? message.path("seq").asLong() : held);
      case "error" ->
          listener.onError(
              message.path("code").asText(), accountId, message.path("message").asText());
      default -> {
        // heartbeat, and whatever a later version adds
      }
    }
  }

  // A socket already replaced (or dropped on purpose) has been taken care of.
  private void reconnectIfCurrent(WebSocket ws) {
    if (ws == socket) {
      scheduleReconnect();
    }
  }

  private final class Handler implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        deliver(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      reconnectIfCurrent(ws);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      reconnectIfCurrent(ws);
    }
  }
}
