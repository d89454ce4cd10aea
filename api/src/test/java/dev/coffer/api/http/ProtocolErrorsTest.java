package dev.coffer.api.http;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the router itself refuses is answered as problem+json with the contract's codes. */
class ProtocolErrorsTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static Caller caller;

  @BeforeAll
  static void start() {
    caller = api.newCaller();
  }

  @Test
  void unknownRouteIs404Problem() {
    for (String path : new String[] {"/", "/v1", "/v1/nothing", "/v1/transfersXYZ", "/v2/users"}) {
      Reply reply = api.get(path, caller.token());
      assertProblem(reply, 404, "not-found");
    }
    assertProblem(
        api.send(HttpMethod.POST, "/v1/transfers:batchy", Map.of(), null), 404, "not-found");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    Reply reply = api.delete("/v1/accounts", caller.token());
    assertProblem(reply, 405, "method-not-allowed");
    assertThat(reply.header("Allow")).contains("GET").contains("POST");

    Reply batch = api.get("/v1/transfers:batch", caller.token());
    assertProblem(batch, 405, "method-not-allowed");
    assertThat(batch.header("Allow")).isEqualTo("POST");
  }

  @Test
  void wrongContentTypeIs415() {
    Reply reply =
        api.send(
            HttpMethod.POST,
            "/v1/accounts",
            Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", "text/plain"),
            Buffer.buffer("{\"currency\":\"EUR\"}"));
    assertProblem(reply, 415, "unsupported-media-type");
    Reply latin1 =
        api.send(
            HttpMethod.POST,
            "/v1/accounts",
            Map.of(
                "Authorization",
                "Bearer " + caller.token(),
                "Content-Type",
                "application/json; charset=iso-8859-1"),
            Buffer.buffer("{\"currency\":\"EUR\"}"));
    assertProblem(latin1, 415, "unsupported-media-type");
  }

  @Test
  void aFormUnderAMethodThatTakesNoFormIs415NotA500() {
    // Found by FuzzApiTest: Vert.x's body handler fails a form body under GET, HEAD or an unknown
    // method with an exception, which was answered 500.
    for (String method : new String[] {"XABC", "GET", "HEAD", "OPTIONS"}) {
      for (String type :
          new String[] {"multipart/form-data; boundary=x", "application/x-www-form-urlencoded"}) {
        Reply reply =
            api.send(
                HttpMethod.valueOf(method),
                "/v1/transfers:batch",
                Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", type),
                Buffer.buffer("a=1"));
        assertThat(reply.status()).as(method + " " + type).isEqualTo(415);
        assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
        if (!method.equals("HEAD")) {
          assertProblem(reply, 415, "unsupported-media-type");
        }
      }
    }
  }

  @Test
  void malformedJsonIs400AndSchemaBreachIs422() {
    Map<String, String> json =
        Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", "application/json");
    assertProblem(
        api.send(HttpMethod.POST, "/v1/accounts", json, Buffer.buffer("{\"currency\":")),
        400,
        "malformed-json");
    assertProblem(
        api.send(HttpMethod.POST, "/v1/accounts", json, Buffer.buffer("")), 400, "malformed-json");
    Reply array = api.send(HttpMethod.POST, "/v1/accounts", json, Buffer.buffer("[1,2]"));
    assertProblem(array, 422, "validation");
    Reply unknown =
        api.send(
            HttpMethod.POST,
            "/v1/accounts",
            json,
            Buffer.buffer("{\"currency\":\"EUR\",\"colour\":\"red\"}"));
    assertProblem(unknown, 422, "validation");
    assertThat(unknown.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("colour");
  }

  @Test
  void bodyOver64KiBIs413() {
    String big = "{\"currency\":\"EUR\",\"name\":\"" + "x".repeat(70 * 1024) + "\"}";
    Reply reply =
        api.send(
            HttpMethod.POST,
            "/v1/accounts",
            Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", "application/json"),
            Buffer.buffer(big));
    assertProblem(reply, 413, "payload-too-large");
  }

  @Test
  void badQueryParametersAre400() {
    for (String query : new String[] {"limit=0", "limit=201", "limit=ten", "cursor=%21%21"}) {
      assertProblem(api.get("/v1/accounts?" + query, caller.token()), 400, "invalid-parameter");
    }
    assertProblem(
        api.get("/v1/accounts", caller.token(), Map.of("Consistency-Token", "not-a-token")),
        400,
        "invalid-parameter");
  }

  @Test
  void brokenPercentEscapesInTheQueryAre400WithOrWithoutASession() {
    String account = "/v1/accounts/" + java.util.UUID.randomUUID();
    for (String query : new String[] {"%", "cursor=%%%", "%zz", "%=1", "limit=%G1"}) {
      assertProblem(api.get(account + "?" + query, caller.token()), 400, "invalid-parameter");
      assertProblem(api.get("/v1/accounts?" + query, null), 400, "invalid-parameter");
      assertProblem(api.get("/health/live?" + query, null), 400, "invalid-parameter");
    }
  }

  @Test
  void integerParametersAreDecimalDigitsOnly() {
    for (String limit : new String[] {"1e2", "%2B5", "5.0", "0x10", "%205"}) {
      assertProblem(
          api.get("/v1/accounts?limit=" + limit, caller.token()), 400, "invalid-parameter");
    }
    assertThat(api.get("/v1/accounts?limit=5", caller.token()).status()).isEqualTo(200);
  }

  @Test
  void headIsServedOnEveryGetRoute() {
    Reply head =
        api.send(
            HttpMethod.HEAD,
            "/v1/accounts",
            Map.of("Authorization", "Bearer " + caller.token()),
            null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Type")).startsWith("application/json");
    assertThat(head.header("X-Request-Id")).isNotBlank();
    assertThat(head.text()).isEmpty();
    assertThat(api.send(HttpMethod.HEAD, "/health/live", Map.of(), null).status()).isEqualTo(200);
    // A HEAD is a GET for everything but the body: unauthenticated is still 401.
    assertThat(api.send(HttpMethod.HEAD, "/v1/accounts", Map.of(), null).status()).isEqualTo(401);
    assertThat(api.send(HttpMethod.HEAD, "/v1/deposits", Map.of(), null).status()).isEqualTo(405);
  }

  @Test
  void mediaTypesAreCaseInsensitive() {
    for (String type :
        new String[] {"application/JSON", "Application/Json; Charset=UTF-8", "APPLICATION/JSON"}) {
      Reply reply =
          api.send(
              HttpMethod.POST,
              "/v1/accounts",
              Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", type),
              Buffer.buffer("{\"currency\":\"EUR\"}"));
      assertThat(reply.status()).as(type + " " + reply).isEqualTo(201);
    }
  }

  @Test
  void aKeyGivenTwiceIsRefused() {
    String account = api.openAccount(caller, "EUR");
    Reply reply =
        api.send(
            HttpMethod.POST,
            "/v1/deposits",
            Map.of(
                "Authorization",
                "Bearer " + caller.token(),
                "Content-Type",
                "application/json",
                "Idempotency-Key",
                java.util.UUID.randomUUID().toString()),
            Buffer.buffer("{\"accountId\":\"" + account + "\",\"amount\":1,\"amount\":100000}"));
    assertProblem(reply, 400, "malformed-json");
    assertThat(api.account(caller, account).getLong("balance")).isZero();
  }

  @Test
  void loneSurrogatesAreRefusedNotStoredAsQuestionMarks() {
    Map<String, String> json =
        Map.of("Authorization", "Bearer " + caller.token(), "Content-Type", "application/json");
    for (String name : new String[] {"\\ud800", "a\\udc00b", "\\udbff\\udbff"}) {
      Reply reply =
          api.send(
              HttpMethod.POST,
              "/v1/accounts",
              json,
              Buffer.buffer("{\"currency\":\"EUR\",\"name\":\"" + name + "\"}"));
      assertProblem(reply, 400, "malformed-json");
    }
    // A proper pair (an emoji) is a character like any other.
    Reply pair =
        api.send(
            HttpMethod.POST,
            "/v1/accounts",
            json,
            Buffer.buffer("{\"currency\":\"EUR\",\"name\":\"\\ud83d\\ude00\"}"));
    assertThat(pair.status()).isEqualTo(201);
    assertThat(pair.json().getString("name")).isEqualTo("\ud83d\ude00");
  }

  @Test
  void missingOrBadTokenIs401BeforeAnythingElse() {
    assertProblem(api.get("/v1/accounts", null), 401, "unauthenticated");
    assertProblem(api.get("/v1/accounts", "not-a-session"), 401, "unauthenticated");
    assertProblem(
        api.get("/v1/accounts", null, Map.of("Authorization", "Basic dXNlcjpwYXNz")),
        401,
        "unauthenticated");
    // No key and no body, but no token either: the caller learns only that it must log in.
    Reply reply = api.send(HttpMethod.POST, "/v1/deposits", Map.of(), null);
    assertProblem(reply, 401, "unauthenticated");
    assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  void noInputAnyClientCanSendGetsA5xx() {
    Random random = new Random(42);
    String[] paths = {
      "/v1/users",
      "/v1/sessions",
      "/v1/accounts",
      "/v1/deposits",
      "/v1/withdrawals",
      "/v1/transfers",
      "/v1/transfers:batch",
      "/v1/transfers/" + java.util.UUID.randomUUID() + "/post",
      "/v1/transfers/%00/void",
      "/v1/accounts/%ZZ",
      "/v1/accounts/" + "9".repeat(300) + "/entries"
    };
    String[] bodies = {
      "null",
      "{}",
      "[]",
      "\"text\"",
      "{\"amount\":1e400}",
      "{\"amount\":-1,\"accountId\":null}",
      "{\"amount\":99999999999999999999999,\"accountId\":\"01a20000-0000-7000-8000-000000000000\"}",
      "{\"email\":\"a\\u0000b@example.com\",\"password\":\"\\u0000\\u0000\\u0000\\u0000xxxx\"}",
      "{\"currency\":\"EUR\",\"name\":\"\\ud800\"}",
      "{\"transfers\":[" + "{},".repeat(150) + "{}]}",
      "{\"fromAccountId\":\"01a20000-0000-7000-8000-000000000000\",\"toAccountId\":\"01a20000-0000-7000-8000-000000000000\",\"amount\":1}",
      "{{{{",
    };
    for (String path : paths) {
      for (String body : bodies) {
        for (HttpMethod method :
            new HttpMethod[] {HttpMethod.POST, HttpMethod.GET, HttpMethod.PUT}) {
          Map<String, String> headers =
              Map.of(
                  "Authorization", "Bearer " + caller.token(),
                  "Content-Type", "application/json",
                  "Idempotency-Key", "fuzz-" + random.nextInt(1_000_000));
          Reply reply = api.send(method, path, headers, Buffer.buffer(body));
          assertThat(reply.status())
              .as(method + " " + path + " " + body + " -> " + reply)
              .isBetween(200, 499);
          if (reply.status() >= 400) {
            assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
          }
        }
      }
    }
  }
}
