package dev.coffer.api.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook receivers that misbehave, on a free local port, by path: {@code /trickle} answers 200 at
 * once and then a body byte every 300 ms, never ending; {@code /flood} answers 200 and an endless
 * body as fast as it can; {@code /hang} never answers; {@code /ok} answers 200. Each counts what it
 * saw: requests, distinct events, connections open now and at most, connections the sender closed.
 */
public final class HostileReceiver implements AutoCloseable {
  /** What one path saw. */
  public static final class Seen {
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger open = new AtomicInteger();
    public final AtomicInteger maxOpen = new AtomicInteger();
    public final AtomicInteger closedBySender = new AtomicInteger();
    public final Set<String> events = ConcurrentHashMap.newKeySet();
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  public HostileReceiver() throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(this::handle)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public Seen seen(String path) {
    return seen.computeIfAbsent(path, k -> new Seen());
  }

  private void handle(HttpServerRequest request) {
    Seen s = seen(request.path());
    s.requests.incrementAndGet();
    s.events.add(String.valueOf(request.getHeader("Coffer-Event-Id")));
    int open = s.open.incrementAndGet();
    s.maxOpen.accumulateAndGet(open, Math::max);
    HttpServerResponse response = request.response();
    long[] timer = {-1};
    request
        .connection()
        .closeHandler(
            v -> {
              s.open.decrementAndGet();
              vertx.cancelTimer(timer[0]);
              if (!response.ended()) {
                s.closedBySender.incrementAndGet();
              }
            });
    switch (request.path()) {
      case "/trickle" -> {
        response.setChunked(true).setStatusCode(200).writeHead();
        timer[0] = vertx.setPeriodic(300, id -> response.write("x"));
      }
      case "/flood" -> {
        response.setChunked(true).setStatusCode(200);
        flood(response);
      }
      case "/hang" -> {
        // never answers
      }
      default -> response.setStatusCode(200).end();
    }
  }

  // 16 KB a millisecond, or as fast as the sender reads, whichever is slower; never a loop that
  // holds the event loop.
  private void flood(HttpServerResponse response) {
    if (response.closed()) {
      return;
    }
    Buffer kilobyte = Buffer.buffer("y".repeat(1024));
    for (int i = 0; i < 16; i++) {
      response.write(kilobyte);
    }
    if (response.writeQueueFull()) {
      response.drainHandler(v -> flood(response));
    } else {
      vertx.setTimer(1, id -> flood(response));
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
