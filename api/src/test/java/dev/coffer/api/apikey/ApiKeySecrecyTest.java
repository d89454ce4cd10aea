package dev.coffer.api.apikey;

import static dev.coffer.api.apikey.ApiKeyApiTest.newKey;
import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.CofferProcess;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API key's secret is answered once and never again: not in the service's log (a separate
 * process whose whole output is read), its metrics, the key's list or events, nor any problem,
 * whatever is done with the key, right or wrong.
 */
@ExtendWith(LedgerExtension.class)
class ApiKeySecrecyTest {
  @Test
  void theSecretIsInNoLogLineMetricEventOrLaterAnswer(@TempDir Path logs) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (CofferProcess coffer = CofferProcess.launch("coffer-keys", port, logs, Map.of());
        ApiClient api = ApiClient.from("127.0.0.7", port)) {
      coffer.awaitReady();
      Caller alice = api.newCaller();
      String account = api.openAccount(alice, "EUR");
      Reply created =
          api.post(
              "/v1/api-keys",
              alice.token(),
              newKey("leak check", "transfers:write", "accounts:read"));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      String key = created.json().getString("key");
      String id = created.json().getString("id");
      String secret = key.substring(60);
      List<String> answers = new ArrayList<>();

      // Right and wrong uses: allowed, refused for scope, wrong secret, revoked.
      Reply deposit =
          api.move(
              "/v1/deposits", key, new JsonObject().put("accountId", account).put("amount", 5));
      assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
      answers.add(deposit.text());
      answers.add(api.get("/v1/accounts/" + account, key).text());
      Reply refused = api.get("/v1/webhooks", key);
      assertProblem(refused, 403, "insufficient-scope");
      answers.add(refused.text());
      String wrongSecret = key.substring(0, 60) + new StringBuilder(secret).reverse();
      answers.add(api.get("/v1/accounts", wrongSecret).text());
      answers.add(api.get("/v1/api-keys", alice.token()).text());
      answers.add(api.get("/v1/api-keys/" + id + "/events", alice.token()).text());
      assertThat(api.delete("/v1/api-keys/" + id, alice.token()).status()).isEqualTo(204);
      Reply afterRevocation = api.get("/v1/accounts", key);
      assertProblem(afterRevocation, 401, "unauthenticated");
      answers.add(afterRevocation.text());
      answers.add(api.get("/v1/api-keys", alice.token()).text());
      String metrics = api.get("/metrics", null).text();
      assertThat(metrics).contains("coffer_api_key_requests_total");

      String log = coffer.logText();
      assertThat(log).as("the service logged the requests").contains("/v1/api-keys");
      for (String text : concat(answers, List.of(metrics, log))) {
        assertThat(text)
            .doesNotContain(secret)
            .doesNotContain(new StringBuilder(secret).reverse().toString())
            .doesNotContainPattern(ApiKeyTokens.PATTERN.pattern());
      }
      // The events name the address it was used from (this client's own).
      assertThat(api.get("/v1/api-keys/" + id + "/events", alice.token()).text())
          .contains("127.0.0.7");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
