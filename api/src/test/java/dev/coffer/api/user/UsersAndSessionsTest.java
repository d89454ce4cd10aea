package dev.coffer.api.user;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.TestRedis;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sign-up, log-in, log-out, and sessions kept in Redis Cluster. */
@ExtendWith(LedgerExtension.class)
class UsersAndSessionsTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = TestRedis.cluster(vertx);
  }

  @AfterAll
  static void close() throws Exception {
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void signUpAnswersTheUserWithoutItsPassword() {
    String email = "Sign-Up-" + UUID.randomUUID() + "@Example.com";
    Reply reply =
        api.post(
            "/v1/users", null, new JsonObject().put("email", email).put("password", "long enough"));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    JsonObject user = reply.json();
    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "email", "createdAt");
    assertThat(UUID.fromString(user.getString("id")).version()).isEqualTo(7);
    assertThat(user.getString("email")).isEqualTo(email);
    assertThat(user.getString("createdAt"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(reply.header("Consistency-Token")).matches("[0-9a-f]{16}");

    // The same address in other case is the same address.
    Reply again =
        api.post(
            "/v1/users",
            null,
            new JsonObject().put("email", email.toLowerCase()).put("password", "long enough"));
    assertProblem(again, 409, "email-taken");
  }

  @Test
  void signUpRefusesBadInput() {
    JsonObject[] bad = {
      new JsonObject().put("email", "no-at-sign").put("password", "long enough"),
      new JsonObject().put("email", "a@example.com").put("password", "short"),
      new JsonObject().put("email", "a@example.com").put("password", "x".repeat(129)),
      new JsonObject().put("email", "a@example.com"),
      new JsonObject()
          .put("email", "a@example.com")
          .put("password", "long enough")
          .put("admin", true),
      new JsonObject().put("email", 42).put("password", "long enough"),
    };
    for (JsonObject body : bad) {
      Reply reply = api.post("/v1/users", null, body);
      assertProblem(reply, 422, "validation");
      assertThat(reply.json().getJsonArray("errors")).as(body.encode()).isNotEmpty();
    }
    Reply missing = api.post("/v1/users", null, new JsonObject().put("email", "a@example.com"));
    assertThat(missing.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("password");
  }

  @Test
  void logInGivesAnOpaqueTokenWithASlidingWeekLongExpiry() throws Exception {
    Caller caller = api.newCaller();
    Reply reply =
        api.post(
            "/v1/sessions",
            null,
            new JsonObject().put("email", caller.email()).put("password", caller.password()));
    assertThat(reply.status()).isEqualTo(201);
    JsonObject session = reply.json();
    assertThat(session.getString("userId")).isEqualTo(caller.id());
    // The user's id, then 256 random bits, base64url: at least the 128 the contract asks for.
    assertThat(session.getString("token")).matches("u[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}");
    Instant expires = Instant.parse(session.getString("expiresAt"));
    assertThat(Duration.between(Instant.now(), expires))
        .isBetween(Duration.ofDays(7).minusMinutes(1), Duration.ofDays(7).plusMinutes(1));

    // Redis holds a hash of the token, never the token, under the user's hash tag; its expiry
    // slides with every use.
    String key = "coffer:session:{u:" + caller.id() + "}:" + sha256(session.getString("token"));
    Response user =
        redis.send(Request.cmd(Command.HGET).arg(key).arg("user")).await(5, TimeUnit.SECONDS);
    assertThat(user.toString()).isEqualTo(caller.id());
    redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(60_000)).await(5, TimeUnit.SECONDS);
    assertThat(api.get("/v1/accounts", session.getString("token")).status()).isEqualTo(200);
    long ttl = redis.send(Request.cmd(Command.PTTL).arg(key)).await(5, TimeUnit.SECONDS).toLong();
    assertThat(ttl).isGreaterThan(Duration.ofDays(7).minusMinutes(1).toMillis());
  }

  @Test
  void unknownEmailAndWrongPasswordGetTheSameAnswer() {
    Caller caller = api.newCaller();
    Reply wrongPassword =
        api.post(
            "/v1/sessions",
            null,
            new JsonObject().put("email", caller.email()).put("password", "not the password"));
    Reply unknownEmail =
        api.post(
            "/v1/sessions",
            null,
            new JsonObject()
                .put("email", "nobody-" + UUID.randomUUID() + "@example.com")
                .put("password", "not the password"));
    assertProblem(wrongPassword, 401, "invalid-credentials");
    assertProblem(unknownEmail, 401, "invalid-credentials");
    assertProblem(
        api.post("/v1/sessions", null, new JsonObject().put("email", caller.email())),
        422,
        "validation");
    assertThat(unknownEmail.text()).isEqualTo(wrongPassword.text());
  }

  @Test
  void passwordsAreStoredAsSaltedBcrypt(LedgerFixture ledger) {
    String password = "same password for two";
    Caller one = register(password);
    Caller two = register(password);
    List<String> hashes =
        ledger
            .query(
                "SELECT password_hash FROM users WHERE email IN ('"
                    + one.email()
                    + "', '"
                    + two.email()
                    + "')")
            .stream()
            .map(row -> row.getString(0))
            .toList();
    assertThat(hashes).hasSize(2).allMatch(h -> h.startsWith("$2b$")).doesNotHaveDuplicates();
    assertThat(hashes).noneMatch(h -> h.contains(password));
    // Logging in with a 128-character password whose first 72 bytes match another's fails.
    String longPassword = "a".repeat(100) + "tail-1";
    Caller longOne = register(longPassword);
    Reply other =
        api.post(
            "/v1/sessions",
            null,
            new JsonObject()
                .put("email", longOne.email())
                .put("password", "a".repeat(100) + "tail-2"));
    assertProblem(other, 401, "invalid-credentials");
  }

  @Test
  void logOutKillsTheTokenOnEveryInstanceAtOnce() {
    try (ApiInstance second = ApiInstance.start(Map.of());
        ApiClient other = second.client()) {
      Caller caller = api.newCaller();
      assertThat(other.get("/v1/accounts", caller.token()).status()).isEqualTo(200);
      Reply out = api.delete("/v1/sessions/current", caller.token());
      assertThat(out.status()).isEqualTo(204);
      assertProblem(other.get("/v1/accounts", caller.token()), 401, "unauthenticated");
      assertProblem(api.get("/v1/accounts", caller.token()), 401, "unauthenticated");
      assertProblem(api.delete("/v1/sessions/current", caller.token()), 401, "unauthenticated");
      // Another session of the same user lives on.
      String again = api.logIn(caller.email(), caller.password());
      assertThat(other.get("/v1/accounts", again).status()).isEqualTo(200);
    }
  }

  @Test
  void sessionTtlIsConfigurable() {
    assertThat(CofferConfig.from(Map.of()).sessions().ttl()).isEqualTo(Duration.ofDays(7));
    assertThat(CofferConfig.from(Map.of("COFFER_SESSION_TTL_HOURS", "2")).sessions().ttl())
        .isEqualTo(Duration.ofHours(2));
  }

  private static Caller register(String password) {
    String email = "u-" + UUID.randomUUID() + "@example.com";
    assertThat(
            api.post(
                    "/v1/users",
                    null,
                    new JsonObject().put("email", email).put("password", password))
                .status())
        .isEqualTo(201);
    return new Caller(null, email, password, api.logIn(email, password));
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII)));
  }
}
