package dev.coffer.api.redis;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.TestRedis;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis failing: a killed master costs a few seconds of 503 at most, Redis gone entirely gives 503
 * (never a hang or a 500) to what needs a session while the rest still works, and everything
 * recovers by itself, without a restart.
 */
class RedisOutageTest {
  private static ApiInstance instance;
  private static ApiClient api;
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    assumeTrue(TestStack.get().controllable(), "needs a stack whose Redis the test may stop");
    instance = ApiInstance.start(Map.of());
    api = instance.client();
    vertx = Vertx.vertx();
    redis = TestRedis.cluster(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (instance != null) {
      api.close();
      instance.close();
      redis.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKilledMasterCostsAFewSecondsOf503AtMost() throws Exception {
    TestStack stack = TestStack.get();
    Caller caller = api.newCaller();
    String port = masterPortOf(dev.coffer.api.session.SessionStore.key(caller.token()));
    Thread.sleep(300); // let the replica receive the session
    stack.script("kill", "redis-" + port);
    try {
      long started = System.nanoTime();
      long firstFailure = -1;
      long lastFailure = -1;
      long okSince = -1;
      List<Integer> statuses = new ArrayList<>();
      while (System.nanoTime() - started < 30_000_000_000L) {
        long sent = System.nanoTime();
        Reply reply = api.get("/v1/accounts", caller.token());
        statuses.add(reply.status());
        assertThat(System.nanoTime() - sent).as("answered, not hung").isLessThan(5_000_000_000L);
        if (reply.status() == 200) {
          okSince = okSince < 0 ? sent : okSince;
          if (firstFailure >= 0 && sent - okSince > 2_000_000_000L) {
            break;
          }
        } else {
          assertProblem(reply, 503, "service-unavailable");
          assertThat(reply.header("Retry-After")).isNotBlank();
          firstFailure = firstFailure < 0 ? sent : firstFailure;
          lastFailure = sent;
          okSince = -1;
        }
        Thread.sleep(100);
      }
      assertThat(statuses).as("statuses").endsWith(200);
      if (firstFailure >= 0) {
        long outageMs = (lastFailure - firstFailure) / 1_000_000;
        System.out.println(
            "master failover: 503 for " + outageMs + " ms (statuses " + statuses + ")");
        assertThat(outageMs).as("503s after the master died").isLessThan(10_000);
      }
      // The session lived through the failover (it was on the replica that took over).
      assertThat(api.get("/v1/accounts", caller.token()).status()).isEqualTo(200);
    } finally {
      stack.script("start", "redis");
    }
  }

  @Test
  void withRedisGoneSessionRoutesAre503AndTheRestWorksThenItAllRecovers() throws Exception {
    TestStack stack = TestStack.get();
    Caller caller = api.newCaller();
    ApiInstance strict = ApiInstance.start(Map.of("COFFER_RATE_LIMIT_FAIL_CLOSED", "true"));
    ApiClient strictApi = strict.client();
    stack.script("stop", "redis");
    try {
      // Configured to fail closed, the limits refuse what they cannot count.
      assertProblem(
          strictApi.post(
              "/v1/users",
              null,
              new JsonObject()
                  .put("email", "u-" + UUID.randomUUID() + "@example.com")
                  .put("password", "long enough")),
          503,
          "service-unavailable");
      long sent = System.nanoTime();
      Reply reply = api.get("/v1/accounts", caller.token());
      assertThat(System.nanoTime() - sent).as("answered, not hung").isLessThan(5_000_000_000L);
      assertProblem(reply, 503, "service-unavailable");
      assertThat(reply.header("Retry-After")).isNotBlank();
      for (int i = 0; i < 10; i++) {
        // With the circuit open, the answer is immediate and the same.
        assertProblem(api.get("/v1/accounts", caller.token()), 503, "service-unavailable");
      }
      assertThat(circuitOpenGauge()).as("the alert's series").isEqualTo("1.0");
      assertProblem(
          api.post(
              "/v1/sessions",
              null,
              new JsonObject().put("email", caller.email()).put("password", caller.password())),
          503,
          "service-unavailable");
      // Sign-up needs no session: rate limits fail open and it goes on working.
      Reply signUp =
          api.post(
              "/v1/users",
              null,
              new JsonObject()
                  .put("email", "u-" + UUID.randomUUID() + "@example.com")
                  .put("password", "long enough"));
      assertThat(signUp.status()).as(signUp.toString()).isEqualTo(201);

      Reply ready = api.get("/health/ready", null);
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().getJsonObject("checks").getJsonObject("redis").getString("status"))
          .isEqualTo("DOWN");
    } finally {
      stack.script("start", "redis");
      strictApi.close();
      strict.close();
    }
    // Back by itself. The stack's Redis keeps nothing on disk: sessions are gone, a log-in works.
    awaitStatus("/health/ready", null, 200);
    String token = api.logIn(caller.email(), caller.password());
    awaitStatus("/v1/accounts", token, 200);
    assertThat(circuitOpenGauge()).isEqualTo("0.0");
  }

  private static String circuitOpenGauge() throws Exception {
    Matcher m =
        Pattern.compile("(?m)^coffer_redis_circuit_open(?:\\{[^}]*\\})? (\\S+)$")
            .matcher(api.get("/metrics", null).text());
    assertThat(m.find()).as("coffer_redis_circuit_open in /metrics").isTrue();
    return m.group(1);
  }

  private static void awaitStatus(String path, String token, int status) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    Reply reply;
    do {
      reply = api.get(path, token);
      if (reply.status() == status) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertThat(reply.status()).as(path + ": " + reply).isEqualTo(status);
  }

  private static String masterPortOf(String key) throws Exception {
    long slot =
        redis
            .send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key))
            .await(5, TimeUnit.SECONDS)
            .toLong();
    Response slots =
        redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS);
    for (Response range : slots) {
      if (slot >= range.get(0).toLong() && slot <= range.get(1).toLong()) {
        return range.get(2).get(1).toString();
      }
    }
    throw new IllegalStateException("no master for slot " + slot);
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII)));
  }
}
