package dev.coffer.gatling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.testkit.TestStack;
import io.gatling.app.Gatling$;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each simulation for a few seconds at a low rate against a Coffer started on the test stack, so
 * that a simulation the service no longer agrees with fails the build. Not a measurement: the
 * bounds are loose (the machine is shared), but no request may fail.
 */
class SimulationSmokeTest {
  private static final Path RESULTS = Path.of("target/gatling-smoke");
  private static Process coffer;
  private static String baseUrl;

  @BeforeAll
  static void startCoffer() throws Exception {
    Path jar = TestStack.repoRoot().resolve("api/target/coffer-api.jar");
    assertThat(jar)
        .as("the service's jar; build it first: ./mvnw -pl api -am package -DskipTests")
        .exists();
    int port = freePort();
    baseUrl = "http://127.0.0.1:" + port;
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(
                Files.createDirectories(Path.of("target")).resolve("coffer-smoke.log").toFile());
    builder.environment().putAll(cofferEnvironment(port));
    coffer = builder.start();
    awaitReady();
  }

  @AfterAll
  static void stopCoffer() throws InterruptedException {
    if (coffer != null) {
      coffer.destroy();
      if (!coffer.waitFor(30, TimeUnit.SECONDS)) {
        coffer.destroyForcibly();
      }
    }
  }

  @Test
  void moneyFlow() {
    assertThat(run(MoneyFlow.class)).as("MoneyFlow's exit status (see its report)").isZero();
  }

  @Test
  void hotMerchant() {
    assertThat(run(HotMerchant.class)).as("HotMerchant's exit status (see its report)").isZero();
  }

  @Test
  void dashboards() {
    assumeTrue(StreamProbe.available(baseUrl), StreamProbe.missing(baseUrl));
    assertThat(run(Dashboards.class)).as("Dashboards' exit status (see its report)").isZero();
  }

  @Test
  void closedModelRuns() {
    System.setProperty("model", "closed");
    try {
      assertThat(run(MoneyFlow.class)).as("MoneyFlow, closed model").isZero();
    } finally {
      System.clearProperty("model");
    }
  }

  private static Map<String, String> cofferEnvironment(int port) {
    Map<String, String> env = new HashMap<>(TestStack.get().settings().asEnvironment());
    env.put("COFFER_HTTP_HOST", "127.0.0.1");
    env.put("COFFER_HTTP_PORT", Integer.toString(port));
    env.put("COFFER_EVENT_LOOPS", "2");
    env.put("COFFER_SHUTDOWN_DELAY_MS", "0");
    env.put("COFFER_PASSWORD_HASH_COST", "4");
    // A cold JVM on a machine shared with other builds can miss the 250 ms default a few times in
    // a row, which opens the Redis circuit and fails requests with 503: this run checks the
    // simulations, not the service's latency on a busy machine.
    env.put("COFFER_REDIS_TIMEOUT_MS", "2000");
    // Every virtual user comes from 127.0.0.1, and every request of the run counts: the limits of
    // one real client would refuse most of them.
    for (String policy :
        new String[] {
          "ANONYMOUS", "LOGIN_IP", "LOGIN_EMAIL", "ACCOUNT_CREATION", "MONEY", "READS"
        }) {
      env.put("COFFER_RATE_LIMIT_" + policy, "1000000/60");
    }
    return env;
  }

  /** Runs one simulation in this JVM, a few seconds at a low rate; Gatling's exit status. */
  private static int run(Class<?> simulation) {
    Map<String, String> properties =
        Map.of(
            "baseUrl", baseUrl,
            "users", "6",
            "rate", "3",
            "concurrency", "3",
            "ramp", "1",
            "duration", "4",
            "actions", "4",
            "thinkMs", "50",
            "maxErrorPercent", "0",
            // Loose: cold JIT on a shared machine; the point is that the assertion is evaluated.
            "maxP99Ms", "5000");
    properties.forEach(System::setProperty);
    try {
      return Gatling$.MODULE$.fromArgs(
          new String[] {
            "-s",
            simulation.getName(),
            "-rf",
            RESULTS.toAbsolutePath().toString(),
            "-rd",
            "smoke run",
            "-l",
            "junit"
          });
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
  }

  private static void awaitReady() throws InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!coffer.isAlive()) {
        throw new IllegalStateException("Coffer exited; see target/coffer-smoke.log");
      }
      try {
        if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("Coffer not ready within 60 s; see target/coffer-smoke.log");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
