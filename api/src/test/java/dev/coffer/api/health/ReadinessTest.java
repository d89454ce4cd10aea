package dev.coffer.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.server.CofferServer;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Readiness reflects the real dependencies, and follows the replica going away and coming back. */
@ExtendWith(VertxExtension.class)
class ReadinessTest {
  private static CofferServer server;
  private static WebClient client;
  private static int port;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    TestStack stack = TestStack.get();
    port = freePort();
    Map<String, String> env = new HashMap<>(stack.settings().asEnvironment());
    env.put("COFFER_HTTP_PORT", Integer.toString(port));
    env.put("COFFER_EVENT_LOOPS", "2");
    server = CofferServer.start(CofferConfig.from(env)).await(60, TimeUnit.SECONDS);
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().await(30, TimeUnit.SECONDS);
  }

  @Test
  void liveAnswers200() throws Exception {
    HttpResponse<Buffer> live = get("/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  /**
   * Liveness names the build: the parent POM's version, and the commit git reports for the checkout
   * the build ran in ({@code unknown} when built without git).
   */
  @Test
  void liveNamesTheBuildsVersionAndCommit() throws Exception {
    JsonObject live = get("/health/live").bodyAsJsonObject();
    Path root = TestStack.repoRoot();
    Matcher version =
        Pattern.compile("<artifactId>coffer-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(root.resolve("pom.xml")));
    assertThat(version.find()).isTrue();
    assertThat(live.getString("version")).isEqualTo(version.group(1));
    assertThat(live.getString("commit")).isEqualTo(gitHead(root));
  }

  private static String gitHead(Path root) {
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "HEAD")
              .directory(root.resolve("api").toFile())
              .redirectErrorStream(false)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(git.getInputStream().readAllBytes()).trim();
      return git.waitFor() == 0 && out.matches("[0-9a-f]{40}") ? out : BuildInfo.UNKNOWN;
    } catch (IOException | InterruptedException e) {
      return BuildInfo.UNKNOWN;
    }
  }

  @Test
  void readyFollowsTheReplicaDownAndBackWithoutRestart() throws Exception {
    TestStack stack = TestStack.get();
    JsonObject ready = awaitReady(200);
    assertThat(ready.getString("status")).isEqualTo("UP");
    for (String check : new String[] {"primary", "replica", "redis"}) {
      assertThat(ready.getJsonObject("checks").getJsonObject(check).getString("status"))
          .as(check)
          .isEqualTo("UP");
      assertThat(ready.getJsonObject("checks").getJsonObject(check).getLong("latencyMs"))
          .isNotNull();
    }
    if (!stack.controllable()) {
      return; // services we were handed are not ours to stop
    }

    stack.script("stop", "replica");
    try {
      JsonObject down = awaitReady(503);
      assertThat(down.getString("status")).isEqualTo("DOWN");
      assertThat(down.getJsonObject("checks").getJsonObject("replica").getString("status"))
          .isEqualTo("DOWN");
      // Public: says what is down, never where it lives (host, port, user stay in the log).
      String error = down.getJsonObject("checks").getJsonObject("replica").getString("error");
      assertThat(error).isIn("unavailable", "check did not answer in time");
      assertThat(down.encode())
          .doesNotContain(
              Integer.toString(
                  io.vertx.pgclient.PgConnectOptions.fromUri(stack.settings().pgReplica())
                      .getPort()))
          .doesNotContain("127.0.0.1");
      assertThat(down.getJsonObject("checks").getJsonObject("primary").getString("status"))
          .isEqualTo("UP");
    } finally {
      stack.script("up");
    }
    assertThat(awaitReady(200).getString("status")).isEqualTo("UP");
  }

  private static JsonObject awaitReady(int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<Buffer> last = null;
    while (System.nanoTime() < deadline) {
      last = get("/health/ready");
      if (last.statusCode() == status) {
        assertThat(last.getHeader("Content-Type")).startsWith("application/json");
        return last.bodyAsJsonObject();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "ready never answered "
            + status
            + "; last: "
            + last.statusCode()
            + " "
            + last.bodyAsString());
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return client.get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
