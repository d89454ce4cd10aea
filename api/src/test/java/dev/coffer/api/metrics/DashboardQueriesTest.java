package dev.coffer.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.testkit.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's, started by {@code dev/prometheus up}) scrapes a Coffer after some
 * traffic, and every query of every panel of docs/grafana/coffer-dashboard.json returns at least
 * one series: a renamed metric, a wrong label or a broken expression leaves a panel empty here.
 */
class DashboardQueriesTest {
  private static final Path REPO = TestStack.repoRoot();
  private static final Path DIR = Path.of("target", "prometheus").toAbsolutePath();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static int port;

  @BeforeAll
  static void startPrometheus() throws Exception {
    port = freePort();
    Run up = script("up");
    assertThat(up.exitCode()).as(up.output()).isZero();
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    script("down");
  }

  @Test
  void everyPanelsQueryReturnsASeriesAfterTraffic() throws Exception {
    try (ApiClient api = ApiInstance.shared().client()) {
      Caller caller = api.newCaller();
      String from = api.openAccount(caller, "EUR");
      String to = api.openAccount(caller, "EUR");
      api.deposit(caller, from, 100);
      api.move("/v1/transfers", caller.token(), ApiClient.transfer(from, to, 5));
      api.get("/v1/accounts/" + from, caller.token());
      api.get("/v1/accounts/" + from + "/entries", caller.token());
      api.get("/v1/accounts/" + from + "/entries.csv", caller.token());
      api.get("/v1/no-such-route", caller.token());
      // The WebSocket panel counts open streams.
      WebSocket stream =
          HTTP.newWebSocketBuilder()
              .subprotocols("bearer." + caller.token())
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + ApiInstance.shared().port() + "/v1/stream"),
                  new WebSocket.Listener() {})
              .get(10, TimeUnit.SECONDS);
      System.gc(); // the GC panel needs a collection
      Map<String, String> queries = panelQueries();
      assertThat(queries).hasSizeGreaterThan(30);

      // Rates need two scrapes in their window: wait until the traffic is in, then for each.
      Map<String, String> empty = new TreeMap<>();
      long deadline = System.currentTimeMillis() + 60_000;
      do {
        empty.clear();
        for (Map.Entry<String, String> q : queries.entrySet()) {
          JsonArray result = query(q.getValue());
          if (result.isEmpty()) {
            empty.put(q.getKey(), q.getValue());
          }
        }
        if (!empty.isEmpty()) {
          api.get("/v1/accounts/" + from, caller.token());
          Thread.sleep(500);
        }
      } while (!empty.isEmpty() && System.currentTimeMillis() < deadline);
      stream.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
      assertThat(empty).as("panels whose query returns no series").isEmpty();
    }
  }

  // "panel title / refId" -> expr, with the dashboard's $instance variable meaning every instance.
  private static Map<String, String> panelQueries() throws IOException {
    JsonObject dashboard =
        new JsonObject(
            Files.readString(REPO.resolve(Path.of("docs", "grafana", "coffer-dashboard.json"))));
    Map<String, String> queries = new LinkedHashMap<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        JsonObject target = (JsonObject) t;
        queries.put(
            panel.getString("title") + " / " + target.getString("refId"),
            target.getString("expr").replace("$instance", ".*"));
      }
    }
    return queries;
  }

  private static JsonArray query(String expr) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/api/v1/query?query="
                            + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("status")).as(expr + " -> " + response.body()).isEqualTo("success");
    return body.getJsonObject("data").getJsonArray("result");
  }

  private record Run(int exitCode, String output) {}

  private static Run script(String command) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(REPO.resolve("dev/prometheus").toString(), command)
            .redirectErrorStream(true);
    builder.environment().put("COFFER_PROMETHEUS_DIR", DIR.toString());
    builder.environment().put("COFFER_PROMETHEUS_PORT", Integer.toString(port));
    builder.environment().put("COFFER_PROMETHEUS_INTERVAL", "1s");
    builder
        .environment()
        .put("COFFER_PROMETHEUS_TARGETS", "127.0.0.1:" + ApiInstance.shared().port());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
