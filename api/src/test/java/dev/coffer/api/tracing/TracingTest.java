package dev.coffer.api.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.tracing.OtlpReceiver.ReceivedSpan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, a request that comes with a W3C {@code traceparent} is
 * traced under it: the in-test OTLP receiver gets the server span, named by the route, as a child
 * of the given parent, and the PostgreSQL and Redis client spans under it; the request's log line
 * names the same trace.
 */
class TracingTest {
  private static final long TIMEOUT_MS = 20_000;
  private static OtlpReceiver receiver;
  private static ApiInstance coffer;
  private static final ConcurrentLinkedQueue<LogRecord> requestLines =
      new ConcurrentLinkedQueue<>();
  private static final Handler CAPTURE =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          requestLines.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    coffer =
        ApiInstance.start(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                receiver.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY",
                "50"));
    Logger.getLogger("coffer.request").addHandler(CAPTURE);
  }

  @AfterAll
  static void stop() {
    Logger.getLogger("coffer.request").removeHandler(CAPTURE);
    if (coffer != null) {
      coffer.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRequestWithATraceparentIsTracedUnderItDownToPostgresAndRedis() throws Exception {
    try (ApiClient api = coffer.client()) {
      Caller caller = api.newCaller();
      String account = api.openAccount(caller, "EUR");
      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      String parentId = "00f067aa0ba902b7";

      Reply reply =
          api.get(
              "/v1/accounts/" + account,
              caller.token(),
              Map.of("traceparent", "00-" + traceId + "-" + parentId + "-01"));
      assertThat(reply.status()).isEqualTo(200);

      ReceivedSpan server =
          awaitSpan(s -> s.traceId().equals(traceId) && s.parentSpanId().equals(parentId));
      assertThat(server.name()).isEqualTo("GET /v1/accounts/{id}");
      assertThat(server.attributes()).containsEntry("http.route", "/v1/accounts/{id}");
      ReceivedSpan postgres =
          awaitSpan(
              s ->
                  s.traceId().equals(traceId)
                      && "postgresql".equals(s.attributes().get("db.system"))
                      && s.attributes().getOrDefault("db.query.text", "").contains("accounts"));
      ReceivedSpan redis =
          awaitSpan(
              s -> s.traceId().equals(traceId) && "redis".equals(s.attributes().get("db.system")));
      assertThat(ancestors(postgres)).contains(server.spanId());
      assertThat(ancestors(redis)).contains(server.spanId());
      // The statement's text, never its values.
      assertThat(postgres.attributes().get("db.query.text"))
          .as(postgres.toString())
          .isNotBlank()
          .doesNotContain(account);

      // The latency histogram's bucket names the trace (OpenMetrics exemplars).
      Reply scrape =
          api.send(
              io.vertx.core.http.HttpMethod.GET,
              "/metrics",
              Map.of("Accept", "application/openmetrics-text; version=1.0.0"),
              null);
      assertThat(scrape.text())
          .containsPattern(
              "vertx_http_server_response_time_seconds_bucket\\{[^}]*route=\"/v1/accounts/:id\"[^}]*\\}"
                  + " [0-9.e+]+ # \\{span_id=\"[0-9a-f]{16}\",trace_id=\""
                  + traceId);

      assertThat(requestLines)
          .anySatisfy(
              line ->
                  assertThat((Map<Object, Object>) line.getParameters()[0])
                      .containsEntry("traceId", traceId)
                      .containsEntry("route", "/v1/accounts/{id}"));
    }
  }

  @Test
  void aRequestWithoutATraceparentStartsATraceOfItsOwn() throws Exception {
    try (ApiClient api = coffer.client()) {
      Reply reply = api.get("/v1/accounts", api.newCaller().token());
      assertThat(reply.status()).isEqualTo(200);
      ReceivedSpan server =
          awaitSpan(s -> s.name().equals("GET /v1/accounts") && s.parentSpanId().isEmpty());
      assertThat(server.traceId()).hasSize(32).isNotEqualTo("0".repeat(32));
    }
  }

  // The span ids above s, nearest first, among the spans received so far.
  private static List<String> ancestors(ReceivedSpan s) {
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String parent = s.parentSpanId();
    while (!parent.isEmpty() && seen.add(parent)) {
      ids.add(parent);
      String current = parent;
      parent =
          receiver.spans().stream()
              .filter(x -> x.spanId().equals(current))
              .map(ReceivedSpan::parentSpanId)
              .findFirst()
              .orElse("");
    }
    return ids;
  }

  private static ReceivedSpan awaitSpan(Predicate<ReceivedSpan> wanted)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      for (ReceivedSpan s : receiver.spans()) {
        if (wanted.test(s)) {
          return s;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such span among " + receiver.spans());
  }
}
