package dev.coffer.api.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Coffer as a real process under a steady stream of requests gets SIGTERM: readiness turns 503 at
 * once, requests keep being served through the delay, none accepted before the drain fails, and the
 * process exits 0 on its own.
 */
class GracefulShutdownTest {
  private static final long DELAY_MS = 1_500;

  private record Outcome(long sentNanos, int status, String error) {}

  private Process process;
  private Vertx vertx;

  @AfterEach
  void cleanUp() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigtermDrainsWithoutFailingAnAcceptedRequest() throws Exception {
    int port = freePort();
    File log = Files.createTempFile("coffer-process", ".log").toFile();
    ProcessBuilder builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.coffer.api.CofferMain")
            .redirectErrorStream(true)
            .redirectOutput(log);
    Map<String, String> env = builder.environment();
    env.putAll(TestStack.get().settings().asEnvironment());
    env.put("COFFER_HTTP_PORT", Integer.toString(port));
    env.put("COFFER_HTTP_HOST", "127.0.0.1");
    env.put("COFFER_PASSWORD_HASH_COST", "4");
    env.put("COFFER_SHUTDOWN_DELAY_MS", Long.toString(DELAY_MS));
    env.put("COFFER_DRAIN_TIMEOUT_MS", "10000");
    RateLimitSettings.DEFAULTS
        .keySet()
        .forEach(policy -> env.put(RateLimitSettings.variable(policy), "1000000/60"));
    process = builder.start();

    vertx = Vertx.vertx();
    WebClient web =
        WebClient.create(
            vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    awaitReady(web, log);
    String token = session(web);
    String account =
        send(
                web,
                HttpMethod.POST,
                "/v1/accounts",
                token,
                null,
                new JsonObject().put("currency", "EUR"))
            .bodyAsJsonObject()
            .getString("id");

    List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      boolean writer = i % 2 == 0;
      Thread client =
          new Thread(
              () -> {
                while (running.get()) {
                  long sent = System.nanoTime();
                  try {
                    HttpResponse<Buffer> reply =
                        writer
                            ? send(
                                web,
                                HttpMethod.POST,
                                "/v1/deposits",
                                token,
                                UUID.randomUUID().toString(),
                                new JsonObject().put("accountId", account).put("amount", 1))
                            : send(
                                web, HttpMethod.GET, "/v1/accounts/" + account, token, null, null);
                    outcomes.add(new Outcome(sent, reply.statusCode(), null));
                  } catch (Exception e) {
                    outcomes.add(new Outcome(sent, -1, String.valueOf(e.getMessage())));
                  }
                }
              });
      client.start();
      clients.add(client);
    }
    Thread.sleep(1_000);
    long term = System.nanoTime();
    process.destroy(); // SIGTERM
    Thread.sleep(200);
    int readyDuringDelay = web.get("/health/ready").send().await(5, TimeUnit.SECONDS).statusCode();

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited within its drain time").isTrue();
    running.set(false);
    for (Thread client : clients) {
      client.join(10_000);
    }
    assertThat(process.exitValue()).isZero();
    assertThat(readyDuringDelay).isEqualTo(503);

    // Accepted before the drain: sent before the listener closed (with a margin for the race
    // between a connection being opened and the listener closing).
    long drainStarts = term + TimeUnit.MILLISECONDS.toNanos(DELAY_MS - 200);
    List<Outcome> beforeDrain = outcomes.stream().filter(o -> o.sentNanos() < drainStarts).toList();
    List<Outcome> duringDelay = beforeDrain.stream().filter(o -> o.sentNanos() > term).toList();
    assertThat(beforeDrain)
        .allSatisfy(o -> assertThat(o.status()).as(o.toString()).isBetween(200, 299));
    assertThat(duringDelay)
        .as("requests served after SIGTERM, during the delay")
        .hasSizeGreaterThan(10);
    String output = Files.readString(log.toPath());
    assertThat(output).contains("SIGTERM: stopping gracefully").contains("\"message\":\"stopped\"");
  }

  private static HttpResponse<Buffer> send(
      WebClient web, HttpMethod method, String path, String token, String key, JsonObject body)
      throws Exception {
    var request = web.request(method, path).timeout(10_000);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return (body == null ? request.send() : request.sendJsonObject(body))
        .await(15, TimeUnit.SECONDS);
  }

  private static String session(WebClient web) throws Exception {
    String email = "drain-" + UUID.randomUUID() + "@example.com";
    JsonObject credentials = new JsonObject().put("email", email).put("password", "long enough");
    assertThat(send(web, HttpMethod.POST, "/v1/users", null, null, credentials).statusCode())
        .isEqualTo(201);
    return send(web, HttpMethod.POST, "/v1/sessions", null, null, credentials)
        .bodyAsJsonObject()
        .getString("token");
  }

  private void awaitReady(WebClient web, File log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as("process alive; log: " + log).isTrue();
      try {
        if (web.get("/health/ready").send().await(2, TimeUnit.SECONDS).statusCode() == 200) {
          return;
        }
      } catch (Exception e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Coffer did not become ready; log: " + log);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
