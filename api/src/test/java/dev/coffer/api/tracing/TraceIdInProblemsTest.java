package dev.coffer.api.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 5xx problem body names the request's trace (the one its traceparent continued); a 4xx does not,
 * nor does anything with tracing off.
 */
class TraceIdInProblemsTest {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static OtlpReceiver receiver;
  private static Tracing tracing;
  private static Vertx vertx;
  private static HttpServer server;
  private static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    Tracing.prepare();
    receiver = new OtlpReceiver();
    tracing =
        Tracing.start(
            TracingSettings.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())),
            "problems-test");
    vertx = Vertx.builder().withTracer(tracing.vertxTracer()).build();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    JsonResponses.send(
                        request.response(),
                        request.path().equals("/fail")
                            ? Problem.of("internal", "unexpected error")
                            : Problem.of("not-found", "no such thing")))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
    if (tracing != null) {
      tracing.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void aServerErrorNamesTheTraceAClientErrorDoesNot() throws Exception {
    JsonObject failed = get("/fail");
    assertThat(failed.getInteger("status")).isEqualTo(500);
    assertThat(failed.getString("traceId")).isEqualTo(TRACE);

    JsonObject notFound = get("/missing");
    assertThat(notFound.getInteger("status")).isEqualTo(404);
    assertThat(notFound.containsKey("traceId")).isFalse();
  }

  private static JsonObject get(String path) throws Exception {
    return client
        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path)
        .compose(
            request ->
                request
                    .putHeader("traceparent", "00-" + TRACE + "-b7ad6b7169203331-01")
                    .send()
                    .compose(response -> response.body()))
        .map(body -> body.toJsonObject())
        .await(10, TimeUnit.SECONDS);
  }
}
