package dev.coffer.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.testkit.TestStack;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** After some traffic, /metrics exposes what an SRE needs, with bounded labels. */
class MetricsTest {
  private static final Pattern SERIES =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)", Pattern.MULTILINE);
  private static final Pattern DASHBOARD_METRIC =
      Pattern.compile("\\b((?:vertx|coffer|jvm|process)_[a-z0-9_]+)");
  // Vert.x registers it with the first WebSocket (the stream comes with a later issue).
  private static final Set<String> APPEAR_LATER = Set.of("vertx_http_server_active_ws_connections");

  @Test
  void metricsExposeRequestsPoolsLagLimitsReplaysCacheLoopsAndTheJvm() throws Exception {
    try (ApiClient api = ApiInstance.shared().client()) {
      Caller caller = api.newCaller();
      String account = api.openAccount(caller, "EUR");
      JsonObject deposit = new JsonObject().put("accountId", account).put("amount", 5);
      api.post("/v1/deposits", caller.token(), "metrics-key", deposit);
      api.post("/v1/deposits", caller.token(), "metrics-key", deposit); // a replay
      api.account(caller, account);
      api.get("/v1/accounts/" + account + "/entries", caller.token());
      api.get("/v1/no-such-route", caller.token());

      collectedOnce();
      Reply scrape = api.get("/metrics", null);
      assertThat(scrape.status()).isEqualTo(200);
      assertThat(scrape.header("Content-Type")).startsWith("text/plain");
      String text = scrape.text();
      Set<String> series = series(text);

      assertThat(series)
          .contains(
              "vertx_http_server_requests_total",
              "vertx_http_server_response_time_seconds_bucket",
              "vertx_http_server_active_requests",
              "coffer_http_in_flight_requests",
              "coffer_http_shed_requests_total",
              "vertx_pool_in_use",
              "vertx_pool_queue_pending",
              "coffer_replica_lag_bytes",
              "coffer_replica_lag_seconds",
              "coffer_redis_circuit_open",
              "coffer_rate_limit_decisions_total",
              "coffer_idempotent_replays_total",
              "coffer_account_cache_requests_total",
              "coffer_group_commit_groups_total",
              "coffer_group_commit_moves_total",
              "coffer_group_commit_move_by_move_total",
              "coffer_group_commit_waiting",
              "coffer_event_loop_delay_seconds_bucket",
              "coffer_native_transport",
              "coffer_db_pool_max_connections",
              "coffer_webhook_backlog",
              "coffer_webhook_oldest_undelivered_seconds",
              "jvm_memory_used_bytes",
              "jvm_gc_pause_seconds_count");
      // Route templates, never raw paths: an id in a label would make series without bound.
      assertThat(text)
          .contains("route=\"/v1/accounts/:id\"")
          .contains("route=\"/v1/accounts/:id/entries\"")
          .doesNotContain(account)
          .doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(text)
          .containsPattern("pool_name=\"coffer-primary\"")
          .containsPattern("pool_name=\"coffer-replica\"")
          .containsPattern("pool_name=\"coffer-replica-reads\"");
      assertThat(value(text, "coffer_idempotent_replays_total")).isGreaterThanOrEqualTo(1);
      // The epoll jars ship for Linux on x86-64 and ARM64, and COFFER_NATIVE_TRANSPORT is on.
      assertThat(value(text, "coffer_native_transport")).isEqualTo(1);
      // The deposit went through group commit (on by default), in a group of its own or not.
      assertThat(value(text, "coffer_group_commit_moves_total")).isGreaterThanOrEqualTo(1);
      assertThat(text)
          .containsPattern("coffer_rate_limit_decisions_total\\{[^}]*outcome=\"allowed\"");
    }
  }

  @Test
  void unknownMethodNamesNeverBecomeLabels() {
    try (ApiClient api = ApiInstance.shared().client()) {
      for (int i = 0; i < 20; i++) {
        Reply reply =
            api.send(
                io.vertx.core.http.HttpMethod.valueOf("XABC" + i),
                "/health/live",
                java.util.Map.of(),
                null);
        assertThat(reply.status()).isBetween(400, 499);
      }
      String text = api.get("/metrics", null).text();
      assertThat(text).doesNotContain("XABC").contains("method=\"other\"");
    }
  }

  @Test
  void theDashboardOnlyQueriesSeriesThatExist() throws Exception {
    try (ApiClient api = ApiInstance.shared().client()) {
      Caller caller = api.newCaller();
      api.get("/v1/accounts", caller.token());
      collectedOnce();
      Set<String> series = series(api.get("/metrics", null).text());
      String dashboard =
          Files.readString(
              TestStack.repoRoot().resolve(Path.of("docs", "grafana", "coffer-dashboard.json")));
      new io.vertx.core.json.JsonObject(dashboard); // valid JSON
      Matcher m = DASHBOARD_METRIC.matcher(dashboard);
      Set<String> used = new TreeSet<>();
      while (m.find()) {
        used.add(m.group(1));
      }
      assertThat(used).isNotEmpty();
      used.removeAll(APPEAR_LATER);
      assertThat(series).containsAll(used);
    }
  }

  @Test
  void theChartsAlertsOnlyQuerySeriesThatExist() throws Exception {
    try (ApiClient api = ApiInstance.shared().client()) {
      Caller caller = api.newCaller();
      api.get("/v1/accounts", caller.token());
      Set<String> series = series(api.get("/metrics", null).text());
      String rules =
          Files.readString(
              TestStack.repoRoot()
                  .resolve(Path.of("helm", "coffer", "templates", "prometheusrule.yaml")));
      Matcher m = DASHBOARD_METRIC.matcher(rules);
      Set<String> used = new TreeSet<>();
      while (m.find()) {
        used.add(m.group(1));
      }
      assertThat(used)
          .contains(
              "coffer_redis_circuit_open",
              "coffer_http_in_flight_requests",
              "process_cpu_usage",
              "coffer_webhook_backlog");
      assertThat(series).containsAll(used);
      // The objectives count answers under a bucket boundary: the rules name it as Micrometer
      // writes it.
      assertThat(text(api))
          .containsPattern("vertx_http_server_response_time_seconds_bucket\\{[^}]*le=\"0\\.1\"")
          .containsPattern("vertx_http_server_response_time_seconds_bucket\\{[^}]*le=\"0\\.25\"");
    }
  }

  private static String text(ApiClient api) {
    return api.get("/metrics", null).text();
  }

  private static Set<String> series(String text) {
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith("#")) {
        Matcher m = SERIES.matcher(line);
        if (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  // The JVM's GC pause series appear at its first collection (told asynchronously): run alone,
  // early, a test JVM may not have collected yet.
  private static void collectedOnce() throws InterruptedException {
    System.gc();
    for (int i = 0; i < 50; i++) {
      boolean seen =
          java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
              .anyMatch(gc -> gc.getCollectionCount() > 0);
      if (seen) {
        Thread.sleep(100); // the notification follows the count
        return;
      }
      Thread.sleep(20);
    }
  }

  private static double value(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }
}
