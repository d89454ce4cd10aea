package dev.coffer.api.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.testkit.TestStack;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One Coffer instance on the HA stack, given its multi-host URIs, loses the primary for good (its
 * processes SIGKILLed, its data directory deleted) and is not restarted: while no primary exists,
 * writes are 503 with Retry-After (never another 5xx), reads go on from a standby and the instance
 * stays ready; once a standby is promoted, writes succeed again, a write acknowledged before the
 * loss is there and replays by its Idempotency-Key, a Consistency-Token from the old timeline still
 * reads, and the account's hash chain verifies.
 */
class FailoverTest {
  private static final long PATIENCE_NANOS = 90_000_000_000L;

  @Test
  void theInstanceFollowsThePromotedStandbyAndLosesNothingAcknowledged() throws Exception {
    TestStack stack = TestStack.ha();
    String destroyed = stack.primaryNode();
    try (ApiInstance coffer = ApiInstance.start(stack, Map.of());
        ApiClient api = coffer.client()) {
      Caller caller = api.newCaller();
      String account = api.openAccount(caller, "EUR");
      String firstKey = UUID.randomUUID().toString();
      Reply first = api.post("/v1/deposits", caller.token(), firstKey, deposit(account, 500));
      assertThat(first.status()).as(first.toString()).isEqualTo(201);
      String oldTimelineToken = first.header("Consistency-Token");

      stack.script("destroy", destroyed);
      long lost = System.nanoTime(); // the processes are dead once the script returns

      String secondKey = UUID.randomUUID().toString();
      List<String> answers = new ArrayList<>();
      int readsServed = 0;
      int readyWithoutPrimary = 0;
      Reply second;
      while (true) {
        second = api.post("/v1/deposits", caller.token(), secondKey, deposit(account, 700));
        if (second.status() == 201) {
          break;
        }
        answers.add(second.status() + " " + second.code());
        assertThat(second.status()).as("while no primary: " + second).isEqualTo(503);
        assertThat(second.header("Retry-After")).as("Retry-After").isNotBlank();
        // Reads go on from a standby; for the moment the failover manager restarts both standbys
        // (the promoted one and the one that follows it) a read may be a 503 too.
        Reply read = api.get("/v1/accounts/" + account, caller.token());
        if (read.status() == 200) {
          assertThat(read.json().getLong("balance")).isEqualTo(500);
          readsServed++;
        } else {
          assertThat(read.status()).as("a read while no primary: " + read).isEqualTo(503);
          assertThat(read.header("Retry-After")).as("Retry-After").isNotBlank();
        }
        // Every instance is in the same boat: the load balancer must keep it.
        Reply ready = api.get("/health/ready", null);
        JsonObject checks = ready.json().getJsonObject("checks");
        if ("DOWN".equals(checks.getJsonObject("primary").getString("status"))
            && "UP".equals(checks.getJsonObject("replica").getString("status"))) {
          assertThat(ready.status()).as("ready without a primary: " + ready).isEqualTo(200);
          readyWithoutPrimary++;
        }
        assertThat(System.nanoTime() - lost)
            .as("writes back (answers so far: " + answers + ")")
            .isLessThan(PATIENCE_NANOS);
        Thread.sleep(100);
      }
      assertThat(readsServed).as("reads served while no primary existed").isPositive();
      assertThat(readyWithoutPrimary).as("ready answers while no primary existed").isPositive();
      System.out.printf(
          "failover: writes back %.1f s after the primary was destroyed; %d answers 503 on the"
              + " way, %d reads served meanwhile%n",
          (System.nanoTime() - lost) / 1e9, answers.size(), readsServed);

      Reply replay = api.post("/v1/deposits", caller.token(), firstKey, deposit(account, 500));
      assertThat(replay.status()).as(replay.toString()).isEqualTo(201);
      assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(replay.json().getString("id")).isEqualTo(first.json().getString("id"));

      Reply read =
          api.get(
              "/v1/accounts/" + account,
              caller.token(),
              Map.of("Consistency-Token", oldTimelineToken));
      assertThat(read.status()).as(read.toString()).isEqualTo(200);
      assertThat(read.json().getLong("balance")).isEqualTo(1200);

      Reply verify = api.get("/v1/accounts/" + account + "/verify", caller.token());
      assertThat(verify.status()).as(verify.toString()).isEqualTo(200);
      assertThat(verify.json().getBoolean("ok")).as(verify.toString()).isTrue();
      assertThat(verify.json().getLong("entries")).isEqualTo(2);
    } finally {
      stack.script("rejoin", destroyed);
      stack.script("wait-healthy");
    }
  }

  private static JsonObject deposit(String account, long amount) {
    return new JsonObject().put("accountId", account).put("amount", amount);
  }
}
