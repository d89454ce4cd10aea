package dev.coffer.api.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.testkit.TestStack;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes across instances while the replica is held back: a session's reads see its
 * writes with no header, a read with {@code Consistency-Token} sees the write it names, and a read
 * that asks for neither is served by the (stale) replica, which shows the replica really is used.
 */
class ReadYourWritesApiTest {
  private static ApiInstance second;
  private static ApiClient writer;
  private static ApiClient reader;

  @BeforeAll
  static void start() {
    writer = ApiInstance.shared().client().withoutTokenPropagation();
    // Lag alone must not send this instance's reads to the primary during the test.
    second = ApiInstance.start(Map.of("COFFER_REPLICA_MAX_LAG_MS", "3600000"));
    // These clients pass no Consistency-Token of their own accord: the test says when.
    reader = second.client().withoutTokenPropagation();
  }

  @AfterAll
  static void stop() {
    writer.close();
    reader.close();
    second.close();
  }

  @Test
  void aSessionReadsItsOwnWritesOnAnyInstanceWhileTheReplicaLags() throws Exception {
    TestStack stack = TestStack.get();
    assumeTrue(stack.controllable(), "needs a stack whose replica the test may pause");
    Caller caller = writer.newCaller();
    String account = writer.openAccount(caller, "EUR");
    writer.deposit(caller, account, 100);
    String other = reader.logIn(caller.email(), caller.password());
    awaitBalance(other, account, 100);

    stack.script("psql", "replica", "-c", "SELECT pg_wal_replay_pause()");
    try {
      String token = null;
      for (int i = 1; i <= 20; i++) {
        Reply deposit =
            writer.move(
                "/v1/deposits",
                caller.token(),
                new JsonObject().put("accountId", account).put("amount", 1));
        assertThat(deposit.status()).isEqualTo(201);
        token = deposit.header("Consistency-Token");
        JsonObject seen = reader.account(caller, account);
        assertThat(seen.getLong("balance"))
            .as("read %d on the other instance", i)
            .isEqualTo(100 + i);
      }
      // The replica has not replayed any of that: a session with no writes reads it there.
      assertThat(balance(other, account, Map.of())).isEqualTo(100);
      // Sending the write's token back makes that other session's read fresh too.
      assertThat(balance(other, account, Map.of("Consistency-Token", token))).isEqualTo(120);
    } finally {
      stack.script("psql", "replica", "-c", "SELECT pg_wal_replay_resume()");
    }
    awaitBalance(other, account, 120);
  }

  private static long balance(String token, String account, Map<String, String> headers) {
    Reply reply = reader.get("/v1/accounts/" + account, token, headers);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json().getLong("balance");
  }

  // A session that has not written may read an account the replica does not have yet: 404.
  private static long balanceOrMissing(String token, String account) {
    Reply reply = reader.get("/v1/accounts/" + account, token, Map.of());
    return reply.status() == 404 ? -1 : reply.json().getLong("balance");
  }

  private static void awaitBalance(String token, String account, long expected) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (balanceOrMissing(token, account) != expected) {
      assertThat(System.nanoTime()).as("replica caught up").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
