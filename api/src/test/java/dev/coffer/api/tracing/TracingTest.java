package dev.coffer.api.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.tracing.OtlpReceiver.ReceivedSpan;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

  // A webhook receiver: every request's traceparent, event type and body.
  private record Hook(String traceparent, String type, JsonObject event) {}

  private static final ConcurrentLinkedQueue<Hook> hooks = new ConcurrentLinkedQueue<>();
  private static HttpServer hookServer;

  @BeforeAll
  static void start() throws Exception {
    hookServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hookServer.createContext(
        "/hook",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            hooks.add(
                new Hook(
                    exchange.getRequestHeaders().getFirst("traceparent"),
                    exchange.getRequestHeaders().getFirst("Coffer-Event-Type"),
                    new JsonObject(Buffer.buffer(body.readAllBytes()))));
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    hookServer.start();
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
    if (hookServer != null) {
      hookServer.stop(0);
    }
  }

  /**
   * The trace of a money move goes on to its webhook delivery, which runs later, from the outbox:
   * the receiver is sent a traceparent of the request's trace. The move was group-committed: its
   * group is a span of its own, linked to the request's, with the group's PostgreSQL spans under
   * it.
   */
  @Test
  void aMovesTraceReachesItsWebhookReceiverThroughItsGroupCommit() throws Exception {
    try (ApiClient api = coffer.client()) {
      Caller caller = api.newCaller();
      String account = api.openAccount(caller, "EUR");
      registerHook(api, caller, "transfer.created");
      String traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
      String parentId = "10f067aa0ba902b8";

      Reply deposit =
          api.send(
              io.vertx.core.http.HttpMethod.POST,
              "/v1/deposits",
              Map.of(
                  "Authorization",
                  "Bearer " + caller.token(),
                  "Idempotency-Key",
                  UUID.randomUUID().toString(),
                  "Content-Type",
                  "application/json",
                  "traceparent",
                  "00-" + traceId + "-" + parentId + "-01"),
              new JsonObject().put("accountId", account).put("amount", 500).toBuffer());
      assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
      String transferId = deposit.json().getString("id");

      Hook hook =
          awaitHook(h -> transferId.equals(h.event().getJsonObject("data").getString("id")));
      assertThat(hook.traceparent()).as("the receiver's traceparent").isNotNull();
      assertThat(hook.traceparent().split("-")[1]).isEqualTo(traceId);

      ReceivedSpan server =
          awaitSpan(s -> s.traceId().equals(traceId) && s.parentSpanId().equals(parentId));
      assertThat(server.name()).isEqualTo("POST /v1/deposits");
      String hookParent = hook.traceparent().split("-")[2];
      // Any instance may deliver (they share the outbox): one with tracing off passes the write's
      // traceparent on as it is; this one, traced, sends its delivery span's, a child of the
      // write's server span.
      if (!hookParent.equals(server.spanId())) {
        ReceivedSpan delivery = awaitSpan(s -> s.spanId().equals(hookParent));
        assertThat(delivery.name()).isEqualTo("POST webhook");
        assertThat(delivery.traceId()).isEqualTo(traceId);
        assertThat(delivery.parentSpanId()).isEqualTo(server.spanId());
        assertThat(delivery.attributes())
            .containsEntry("coffer.webhook.event_type", "transfer.created")
            .containsEntry("http.response.status_code", "200");
      }

      ReceivedSpan group =
          awaitSpan(s -> s.name().equals("group commit") && s.linkedTraceIds().contains(traceId));
      assertThat(group.traceId()).isEqualTo(traceId);
      ReceivedSpan booking =
          awaitSpan(
              s ->
                  "postgresql".equals(s.attributes().get("db.system"))
                      && s.attributes().getOrDefault("db.query.text", "").contains("coffer_book")
                      && ancestors(s).contains(group.spanId()));
      assertThat(booking.traceId()).isEqualTo(traceId);
    }
  }

  /**
   * A stream client watching an account gets the entry of a traced deposit; the delivery (the
   * entries read once and handed to the connections) is a span linked to the deposit's trace, which
   * the fan-out message carried.
   */
  @Test
  void aStreamDeliveryIsLinkedToTheWriteThatProducedItsEntry() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ApiClient api = coffer.client()) {
      Caller caller = api.newCaller();
      String account = api.openAccount(caller, "EUR");
      WebSocket socket =
          vertx
              .createWebSocketClient()
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(coffer.port())
                      .setURI("/v1/stream")
                      .addSubProtocol("bearer." + caller.token()))
              .await(10, TimeUnit.SECONDS);
      BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
      socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
      socket.writeTextMessage(
          new JsonObject()
              .put("op", "subscribe")
              .put("accounts", new JsonArray().add(new JsonObject().put("id", account)))
              .encode());
      assertThat(next(messages, "subscribed")).isNotNull();
      String traceId = "7bf92f3577b34da6a3ce929d0e0e4739";

      Reply deposit =
          api.send(
              io.vertx.core.http.HttpMethod.POST,
              "/v1/deposits",
              Map.of(
                  "Authorization",
                  "Bearer " + caller.token(),
                  "Idempotency-Key",
                  UUID.randomUUID().toString(),
                  "Content-Type",
                  "application/json",
                  "traceparent",
                  "00-" + traceId + "-30f067aa0ba902ba-01"),
              new JsonObject().put("accountId", account).put("amount", 700).toBuffer());
      assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
      JsonObject entry = next(messages, "entry");
      assertThat(entry.getString("accountId")).isEqualTo(account);

      ReceivedSpan delivery =
          awaitSpan(
              s ->
                  s.name().equals("stream deliver")
                      && account.equals(s.attributes().get("coffer.stream.account_id")));
      assertThat(delivery.linkedTraceIds()).contains(traceId);
      assertThat(delivery.traceId()).isEqualTo(traceId);
      assertThat(delivery.attributes()).containsEntry("coffer.stream.connections", "1");
      socket.close();
    } finally {
      vertx.close();
    }
  }

  private static JsonObject next(BlockingQueue<JsonObject> messages, String type)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      JsonObject message = messages.poll(100, TimeUnit.MILLISECONDS);
      if (message != null && type.equals(message.getString("type"))) {
        return message;
      }
    }
    throw new AssertionError("no " + type + " message");
  }

  /** A settle, a transaction of its own (not grouped), carries its trace to its event too. */
  @Test
  void aSettlesTraceReachesItsWebhookReceiver() throws Exception {
    try (ApiClient api = coffer.client()) {
      Caller payer = api.newCaller();
      String from = api.openAccount(payer, "EUR");
      String to = api.openAccount(api.newCaller(), "EUR");
      api.deposit(payer, from, 1_000);
      String pending = api.pending(payer, from, to, 300);
      registerHook(api, payer, "transfer.posted");
      String traceId = "6bf92f3577b34da6a3ce929d0e0e4738";

      Reply posted =
          api.send(
              io.vertx.core.http.HttpMethod.POST,
              "/v1/transfers/" + pending + "/post",
              Map.of(
                  "Authorization", "Bearer " + payer.token(),
                  "Idempotency-Key", UUID.randomUUID().toString(),
                  "traceparent", "00-" + traceId + "-20f067aa0ba902b9-01"),
              null);
      assertThat(posted.status()).as(posted.toString()).isEqualTo(200);

      Hook hook =
          awaitHook(
              h ->
                  "transfer.posted".equals(h.type())
                      && pending.equals(h.event().getJsonObject("data").getString("id")));
      assertThat(hook.traceparent()).isNotNull();
      assertThat(hook.traceparent().split("-")[1]).isEqualTo(traceId);
    }
  }

  private static void registerHook(ApiClient api, Caller caller, String type) {
    Reply reply =
        api.post(
            "/v1/webhooks",
            caller.token(),
            new JsonObject()
                .put("url", "http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook")
                .put("eventTypes", new JsonArray().add(type)));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
  }

  private static Hook awaitHook(Predicate<Hook> wanted) throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      for (Hook h : hooks) {
        if (wanted.test(h)) {
          return h;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such webhook delivery among " + hooks);
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
