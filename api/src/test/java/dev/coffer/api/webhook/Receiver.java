package dev.coffer.api.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real webhook receiver on a free local port. By path: {@code /ok} answers 200; {@code /flaky}
 * answers the first attempt of each event 500, later ones 200; {@code /slow} answers the first
 * attempt of each event only after {@code slowFor} (past the sender's time limit), later ones at
 * once. It records every request, and deduplicates by event id as a receiver should.
 */
final class Receiver implements AutoCloseable {
  /** One request as it arrived. */
  record Hit(String path, String eventId, String type, String signature, Buffer body, int answer) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Duration slowFor;
  private final List<Hit> hits = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final Set<String> processed = ConcurrentHashMap.newKeySet();

  Receiver(Duration slowFor) throws Exception {
    this.slowFor = slowFor;
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(this::handle)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  private void handle(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body -> {
              String id = request.getHeader("Coffer-Event-Id");
              int attempt =
                  attempts
                      .computeIfAbsent(request.path() + " " + id, k -> new AtomicInteger())
                      .incrementAndGet();
              int status = request.path().equals("/flaky") && attempt == 1 ? 500 : 200;
              hits.add(
                  new Hit(
                      request.path(),
                      id,
                      request.getHeader("Coffer-Event-Type"),
                      request.getHeader("Coffer-Signature"),
                      body,
                      status));
              if (status == 200) {
                processed.add(request.path() + " " + id); // the dedup a receiver keeps
              }
              if (request.path().equals("/slow") && attempt == 1) {
                vertx.setTimer(
                    slowFor.toMillis(), t -> request.response().setStatusCode(200).end());
              } else {
                request.response().setStatusCode(status).end();
              }
            });
  }

  List<Hit> hits(String path) {
    return hits.stream().filter(h -> h.path().equals(path)).toList();
  }

  Set<String> processed() {
    return processed;
  }

  /** Waits until the hits to {@code path} satisfy {@code condition} (bounded, not timed). */
  List<Hit> await(String path, Predicate<List<Hit>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.test(hits(path))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "receiver " + path + " never got what was expected: " + hits(path));
      }
      Thread.sleep(20);
    }
    return hits(path);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
