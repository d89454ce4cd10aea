package dev.coffer.api.ratelimit;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sliding-window limits over the real cluster, shared by two instances. Every test uses subjects of
 * its own (fresh users, e-mails, and client addresses through a trusted X-Forwarded-For).
 */
class RateLimitApiTest {
  private static final AtomicInteger NEXT_IP = new AtomicInteger(1);
  private static final Map<String, String> SETTINGS =
      Map.of(
          "COFFER_TRUSTED_PROXIES", "127.0.0.1/32,::1/128",
          "COFFER_RATE_LIMIT_ANONYMOUS", "40/60",
          "COFFER_RATE_LIMIT_LOGIN_IP", "20/60",
          "COFFER_RATE_LIMIT_LOGIN_EMAIL", "3/60",
          "COFFER_RATE_LIMIT_LOGIN_EMAIL_ALL", "6/60",
          "COFFER_RATE_LIMIT_ACCOUNT_CREATION", "7/60",
          "COFFER_RATE_LIMIT_MONEY", "100/60",
          "COFFER_RATE_LIMIT_READS", "10/2");
  private static ApiInstance first;
  private static ApiInstance second;
  private static ApiClient one;
  private static ApiClient two;
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    first = ApiInstance.start(SETTINGS);
    second = ApiInstance.start(SETTINGS);
    one = first.client();
    two = second.client();
    vertx = Vertx.vertx();
    redis = TestRedis.cluster(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    one.close();
    two.close();
    first.close();
    second.close();
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aBurstOfFailedLoginsGets429WithRetryAfterAndTheRateLimitHeaders() {
    // Signed up, never logged in: its e-mail has no attempts yet.
    String email = "victim-" + UUID.randomUUID() + "@example.com";
    String password = "the right password";
    assertThat(
            one.post(
                    "/v1/users",
                    null,
                    new JsonObject().put("email", email).put("password", password))
                .status())
        .isEqualTo(201);
    String ip = nextIp();
    List<Reply> replies = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      replies.add(logIn(i % 2 == 0 ? one : two, ip, email, "wrong password " + i));
    }
    for (int i = 0; i < 3; i++) {
      assertProblem(replies.get(i), 401, "invalid-credentials");
    }
    Reply limited = replies.get(3);
    assertProblem(limited, 429, "rate-limited");
    // Up to two windows: a full current window must roll over and then slide partly out.
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 120L);
    assertThat(limited.header("RateLimit-Policy"))
        .contains("\"login-ip\";q=20;w=60")
        .contains("\"anonymous\";q=40;w=60");
    // The right password does not get past the limit from that address; from another it does.
    assertProblem(logIn(two, ip, email, password), 429, "rate-limited");
    assertThat(logIn(two, nextIp(), email, password).status()).isEqualTo(201);
  }

  @Test
  void aStrangersFailedLogInsNeverLockTheOwnerOut() {
    // Issue 27, finding 4: ten wrong passwords for someone else's e-mail used to refuse the
    // owner's correct one for ten minutes, renewable for ever.
    String email = "owner-" + UUID.randomUUID() + "@example.com";
    String password = "the right password";
    assertThat(
            one.send(
                    HttpMethod.POST,
                    "/v1/users",
                    Map.of("Content-Type", "application/json", "X-Forwarded-For", nextIp()),
                    new JsonObject().put("email", email).put("password", password).toBuffer())
                .status())
        .isEqualTo(201);
    String home = nextIp();
    assertThat(logIn(one, home, email, password).status()).isEqualTo(201);
    // One stranger: 3 failures per e-mail and address here, then refused from there.
    String stranger = nextIp();
    for (int i = 0; i < 3; i++) {
      assertProblem(logIn(one, stranger, email, "guess " + i), 401, "invalid-credentials");
    }
    assertProblem(logIn(two, stranger, email, password), 429, "rate-limited");
    // The owner: at home, and from an address never seen before.
    assertThat(logIn(two, home, email, password).status()).isEqualTo(201);
    assertThat(logIn(one, nextIp(), email, password).status()).isEqualTo(201);
    // Strangers spread over many addresses reach the e-mail's ceiling (6 failures here): new
    // addresses are refused even with the right password, the owner's known ones are not.
    for (int i = 0; i < 3; i++) {
      assertProblem(logIn(two, nextIp(), email, "spread " + i), 401, "invalid-credentials");
    }
    assertProblem(logIn(one, nextIp(), email, password), 429, "rate-limited");
    assertThat(logIn(one, home, email, password).status()).isEqualTo(201);
  }

  @Test
  void everySpellingOfOneUsersAddressSharesOneLogInBudget() {
    String local = "ivi-" + UUID.randomUUID();
    String email = local + "@example.com";
    // Signed up from an address of its own: 127.0.0.1's anonymous budget is the other tests'.
    assertThat(
            one.send(
                    HttpMethod.POST,
                    "/v1/users",
                    Map.of("Content-Type", "application/json", "X-Forwarded-For", nextIp()),
                    new JsonObject()
                        .put("email", email)
                        .put("password", "the right password")
                        .toBuffer())
                .status())
        .isEqualTo(201);
    // Every spelling that names this user counts on its one budget (3 failures from one address
    // here).
    String[] spellings = {
      email.toUpperCase(),
      "Ivi" + local.substring(3) + "@EXAMPLE.com",
      "\uff49\uff56\uff49" + local.substring(3) + "@example.com", // full-width "ivi": NFKC
      " " + email + " ",
    };
    List<Reply> replies = new ArrayList<>();
    String ip = nextIp();
    for (String spelling : spellings) {
      replies.add(logIn(one, ip, spelling, "wrong password"));
    }
    for (int i = 0; i < 3; i++) {
      assertProblem(replies.get(i), 401, "invalid-credentials");
    }
    assertProblem(replies.get(3), 429, "rate-limited");
    // Java and Postgres lower-case a dotted capital I differently, so it once named this user
    // with a budget of its own. It is another address now: it never logs this user in.
    for (String dotted :
        new String[] {
          "\u0130" + local.substring(1) + "@example.com",
          local.substring(0, 2) + "\u0130" + local.substring(3) + "@example.com"
        }) {
      assertThat(logIn(two, nextIp(), dotted, "the right password").status())
          .as(dotted)
          .isIn(401, 429);
    }
  }

  @Test
  void normalTrafficUnderTheLimitNeverSeesA429() throws Exception {
    Caller caller = one.newCaller();
    // 3 reads a second against 10 per 2 s, for 4 s, alternating instances.
    for (int i = 0; i < 12; i++) {
      Reply reply = (i % 2 == 0 ? one : two).get("/v1/accounts", caller.token());
      assertThat(reply.status()).as("read %d: %s", i, reply).isEqualTo(200);
      assertThat(reply.header("RateLimit-Policy")).isEqualTo("\"reads\";q=10;w=2");
      assertThat(reply.header("RateLimit")).matches("\"reads\";r=\\d+;t=\\d+");
      Thread.sleep(333);
    }
  }

  @Test
  void twoInstancesShareOneLimit() throws Exception {
    Caller caller = one.newCaller();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Callable<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ApiClient client = i % 2 == 0 ? one : two;
        calls.add(
            () ->
                client.post(
                    "/v1/accounts", caller.token(), new JsonObject().put("currency", "EUR")));
      }
      int created = 0;
      int limited = 0;
      for (Future<Reply> f : pool.invokeAll(calls)) {
        Reply reply = f.get();
        if (reply.status() == 201) {
          created++;
        } else {
          assertProblem(reply, 429, "rate-limited");
          limited++;
        }
      }
      assertThat(created).isEqualTo(7);
      assertThat(limited).isEqualTo(13);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void theWindowSlidesSoThereIsNoDoubleBurstAtItsEdge() throws Exception {
    Caller caller = one.newCaller();
    long windowMs = 2_000;
    // Wait until 1.5 s into one of Redis's 2-s windows, then spend the whole quota.
    sleepUntilWindowOffset(windowMs, 1_500);
    int first = allowedReads(caller, 10);
    assertThat(first).isEqualTo(10);
    // Just past the edge, a fixed window would allow another 10; the sliding one still counts
    // almost all of the previous window's.
    sleepUntilWindowOffset(windowMs, 50);
    int justAfter = allowedReads(caller, 10);
    assertThat(justAfter).isLessThanOrEqualTo(1);
    // Retry-After is honest: waiting that long is enough.
    Reply refused = one.get("/v1/accounts", caller.token());
    assertProblem(refused, 429, "rate-limited");
    Thread.sleep(Long.parseLong(refused.header("Retry-After")) * 1000);
    assertThat(one.get("/v1/accounts", caller.token()).status()).isEqualTo(200);
    // A whole window later the previous burst has slid out.
    Thread.sleep(2_100);
    assertThat(allowedReads(caller, 5)).isEqualTo(5);
  }

  @Test
  void anAuthenticatedRequestCostsOneRedisCall() throws Exception {
    Caller caller = one.newCaller();
    long before = scriptCalls();
    for (int i = 0; i < 8; i++) {
      assertThat(one.get("/v1/accounts", caller.token()).status()).isEqualTo(200);
    }
    // The session's renewal and the user's read limit in one script per request (two before).
    assertThat(scriptCalls() - before).isBetween(8L, 9L);
  }

  @Test
  void plainTokensStillWorkAndAreStillLimited() {
    ApiInstance plain =
        ApiInstance.start(
            new java.util.HashMap<>(SETTINGS) {
              {
                put("COFFER_SESSION_TOKENS", "plain");
              }
            });
    try (ApiClient old = plain.client()) {
      Caller caller = old.newCaller();
      assertThat(caller.token()).matches("[A-Za-z0-9_-]{43}");
      // Read by an instance that issues tagged tokens, and limited there as before.
      assertThat(allowedReads(caller, 12)).isEqualTo(10);
      // And the other way round: a tagged token on the instance that issues plain ones.
      Caller tagged = one.newCaller();
      assertThat(old.get("/v1/accounts", tagged.token()).status()).isEqualTo(200);
    } finally {
      plain.close();
    }
  }

  // EVAL and EVALSHA calls so far, over every master.
  private static long scriptCalls() throws Exception {
    long calls = 0;
    Response nodes =
        redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS);
    Set<String> seen = new HashSet<>();
    for (Response range : nodes) {
      String port = range.get(2).get(1).toString();
      if (!seen.add(port)) {
        continue;
      }
      try (var socket = new java.net.Socket("127.0.0.1", Integer.parseInt(port))) {
        socket.getOutputStream().write("INFO commandstats\r\nQUIT\r\n".getBytes());
        String info = new String(socket.getInputStream().readAllBytes());
        for (String line : info.split("\r\n")) {
          if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
            calls += Long.parseLong(line.replaceAll("^[^:]*:calls=([0-9]+),.*", "$1"));
          }
        }
      }
    }
    return calls;
  }

  @Test
  void subjectsSpreadOverEveryMaster() throws Exception {
    Response slots =
        redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS);
    Set<String> masters = new HashSet<>();
    RateLimitPolicy reads =
        new RateLimitPolicy("reads", RateLimitPolicy.Scope.USER, 10, Duration.ofSeconds(2));
    for (int i = 0; i < 30; i++) {
      String key = SlidingWindowLimiter.key(reads, UUID.randomUUID().toString());
      long slot =
          redis
              .send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key))
              .await(5, TimeUnit.SECONDS)
              .toLong();
      for (Response range : slots) {
        if (slot >= range.get(0).toLong() && slot <= range.get(1).toLong()) {
          masters.add(range.get(2).get(1).toString());
        }
      }
    }
    assertThat(masters).hasSize(3);
  }

  @Test
  void aTrustedProxysForwardedAddressIsTheSubject() {
    // Two client addresses behind the same proxy each get the whole login-ip quota.
    String a = nextIp();
    String b = nextIp();
    for (int i = 0; i < 20; i++) {
      assertThat(logIn(one, a, "nobody-" + UUID.randomUUID() + "@example.com", "x").status())
          .isEqualTo(401);
    }
    assertProblem(
        logIn(one, a, "nobody-" + UUID.randomUUID() + "@example.com", "x"), 429, "rate-limited");
    assertThat(logIn(two, b, "nobody-" + UUID.randomUUID() + "@example.com", "x").status())
        .isEqualTo(401);
  }

  @Test
  void aTokenThatNamesNoSessionCountsAsAnonymous() {
    // Guessing tokens must cost the guesser its address's anonymous budget, like sending none.
    String ip = nextIp();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 41; i++) {
      ApiClient via = i % 2 == 0 ? one : two;
      statuses.add(
          via.send(
                  HttpMethod.GET,
                  "/v1/accounts",
                  Map.of(
                      "X-Forwarded-For",
                      ip,
                      "Authorization",
                      "Bearer made-up-" + UUID.randomUUID()),
                  null)
              .status());
    }
    assertThat(statuses.subList(0, 40)).containsOnly(401);
    Reply limited =
        one.send(
            HttpMethod.GET,
            "/v1/accounts",
            Map.of("X-Forwarded-For", ip, "Authorization", "Bearer made-up"),
            null);
    assertProblem(limited, 429, "rate-limited");
    assertThat(limited.header("RateLimit-Policy")).contains("\"anonymous\";q=40;w=60");
    // A real session from the same address is not the anonymous caller: it is not refused.
    Caller caller = one.newCaller();
    assertThat(
            one.send(
                    HttpMethod.GET,
                    "/v1/accounts",
                    Map.of("X-Forwarded-For", ip, "Authorization", "Bearer " + caller.token()),
                    null)
                .status())
        .isEqualTo(200);
  }

  @Test
  void healthIsNeverLimited() {
    for (int i = 0; i < 60; i++) {
      Reply live =
          one.send(HttpMethod.GET, "/health/live", Map.of("X-Forwarded-For", "192.0.2.1"), null);
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.header("RateLimit")).isNull();
      assertThat(live.header("RateLimit-Policy")).isNull();
    }
  }

  private static int allowedReads(Caller caller, int n) {
    int allowed = 0;
    for (int i = 0; i < n; i++) {
      Reply reply = one.get("/v1/accounts", caller.token());
      if (reply.status() == 200) {
        allowed++;
      } else {
        assertProblem(reply, 429, "rate-limited");
      }
    }
    return allowed;
  }

  private static void sleepUntilWindowOffset(long windowMs, long offsetMs) throws Exception {
    Response time = redis.send(Request.cmd(Command.TIME)).await(5, TimeUnit.SECONDS);
    long now = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
    long into = now % windowMs;
    long wait = offsetMs - into;
    if (wait <= 0) {
      wait += windowMs;
    }
    Thread.sleep(wait);
  }

  private static Reply logIn(ApiClient client, String ip, String email, String password) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("X-Forwarded-For", ip);
    return client.send(
        HttpMethod.POST,
        "/v1/sessions",
        headers,
        new JsonObject().put("email", email).put("password", password).toBuffer());
  }

  private static String nextIp() {
    int n = NEXT_IP.getAndIncrement();
    // TEST-NET-3 with a per-run prefix: counters left in Redis by an earlier run do not matter.
    return "203.0." + (int) (ProcessHandle.current().pid() % 250) + "." + (n % 250);
  }
}
