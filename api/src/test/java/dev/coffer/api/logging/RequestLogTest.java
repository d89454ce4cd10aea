package dev.coffer.api.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** One JSON line per request, with its id, and never a token or a password. */
class RequestLogTest {
  @Test
  void everyRequestIsOneLineWithItsIdAndNoSecret() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    JsonLogHandler handler =
        new JsonLogHandler(new PrintStream(captured, true, StandardCharsets.UTF_8), "test");
    handler.setLevel(Level.ALL);
    Logger root = Logger.getLogger("");
    root.addHandler(handler);
    Caller caller;
    Reply given;
    Reply made;
    Reply invalid;
    try (ApiClient api = ApiInstance.shared().client()) {
      caller = api.newCaller();
      given = api.get("/v1/accounts", caller.token(), Map.of("X-Request-Id", "client-id-42"));
      made = api.get("/v1/accounts", caller.token());
      invalid = api.get("/v1/accounts", caller.token(), Map.of("X-Request-Id", "bad id\u00e9"));
      api.post(
          "/v1/sessions",
          null,
          new JsonObject().put("email", caller.email()).put("password", "a wrong password"));
      Thread.sleep(200); // the log line is written when the response has been sent
    } finally {
      root.removeHandler(handler);
    }
    assertThat(given.header("X-Request-Id")).isEqualTo("client-id-42");
    assertThat(made.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    assertThat(invalid.header("X-Request-Id")).matches("[0-9a-f-]{36}");

    String output = captured.toString(StandardCharsets.UTF_8);
    List<JsonObject> requests =
        output
            .lines()
            .map(JsonObject::new)
            .filter(line -> "coffer.request".equals(line.getString("logger")))
            .toList();
    JsonObject line =
        requests.stream()
            .filter(r -> "client-id-42".equals(r.getString("requestId")))
            .findFirst()
            .orElseThrow();
    assertThat(line.getString("method")).isEqualTo("GET");
    assertThat(line.getString("route")).isEqualTo("/v1/accounts");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getDouble("durationMs")).isNotNegative();
    assertThat(line.getString("userId")).isEqualTo(caller.id());
    assertThat(line.getString("instance")).isEqualTo("test");
    assertThat(line.getString("time")).isNotBlank();
    assertThat(
            requests.stream()
                .filter(r -> made.header("X-Request-Id").equals(r.getString("requestId"))))
        .hasSize(1);

    assertThat(output)
        .doesNotContain(caller.token())
        .doesNotContain(caller.password())
        .doesNotContain("a wrong password");
  }
}
