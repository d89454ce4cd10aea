package dev.coffer.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 27, finding 3: a receiver answering 200 and then one body byte at a time held its
 * instance's whole batch (the time limit was reset by every byte), and so every user's deliveries.
 * Now each attempt has one deadline for all of it, attempts are independent of each other, an
 * endpoint gets one at a time, a body is dropped after a few KB, and an endpoint that keeps failing
 * has its circuit opened.
 */
@ExtendWith(LedgerExtension.class)
class WebhookIsolationTest {
  private static ApiInstance instance;
  private static ApiClient api;
  private static HostileReceiver receiver;
  // Endpoints made here, removed at the end: their receiver goes away with this class, and their
  // undelivered events would be retried by every test instance for the rest of the build.
  private static final List<String[]> registered =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    receiver = new HostileReceiver();
    instance =
        ApiInstance.start(
            Map.of(
                // A byte comes every 300 ms: well within a per-read timeout, which it kept alive.
                "COFFER_WEBHOOK_TIMEOUT_MS", "1500",
                "COFFER_WEBHOOK_CIRCUIT_FAILURES", "2",
                "COFFER_WEBHOOK_CIRCUIT_OPEN_MS", "600000"));
    api = instance.client();
  }

  @AfterAll
  static void stop() throws Exception {
    registered.forEach(hook -> api.delete("/v1/webhooks/" + hook[0], hook[1]));
    api.close();
    instance.close();
    receiver.close();
  }

  @Test
  void aSlowReceiverHoldsOnlyItsOwnDeliveries(LedgerFixture ledger) {
    Caller mallory = api.newCaller();
    String mallorysAccount = api.openAccount(mallory, "EUR");
    register(mallory, receiver.url("/trickle"));
    for (int i = 0; i < 6; i++) {
      api.deposit(mallory, mallorysAccount, 1);
    }
    await(
        "the trickling receiver is being answered", () -> receiver.seen("/trickle").open.get() > 0);

    // Another user's event arrives while the trickling ones are under way.
    Caller alice = api.newCaller();
    String alicesAccount = api.openAccount(alice, "EUR");
    register(alice, receiver.url("/ok"));
    String transfer = api.deposit(alice, alicesAccount, 5).getString("id");
    await("alice's event is delivered", () -> !ledger.query(delivered(transfer)).isEmpty());

    // The trickling receiver: one attempt at a time, each cut at its deadline (it never ends one
    // itself), so its events keep coming one after another.
    await(
        "several of mallory's events were attempted",
        () -> receiver.seen("/trickle").events.size() >= 3);
    assertThat(receiver.seen("/trickle").maxOpen.get()).as("attempts at once").isEqualTo(1);
    assertThat(receiver.seen("/trickle").closedBySender.get()).isGreaterThanOrEqualTo(2);

    // A body without end is dropped after a few KB; the status counts.
    Caller flooder = api.newCaller();
    String floodersAccount = api.openAccount(flooder, "EUR");
    register(flooder, receiver.url("/flood"));
    String flooded = api.deposit(flooder, floodersAccount, 1).getString("id");
    await("the flooded event is delivered", () -> !ledger.query(delivered(flooded)).isEmpty());
    await("the flood is cut", () -> receiver.seen("/flood").closedBySender.get() >= 1);
  }

  @Test
  void anEndpointThatKeepsFailingHasItsCircuitOpened(LedgerFixture ledger) {
    Caller carol = api.newCaller();
    String account = api.openAccount(carol, "EUR");
    String endpoint = register(carol, receiver.url("/hang"));
    for (int i = 0; i < 4; i++) {
      api.deposit(carol, account, 1);
    }
    // Opened by whichever instance sharing the database claimed the deliveries: this class's (open
    // for 10 minutes) or another test class's still running (the default minute); an attempt's
    // own lease is a few seconds, so 30 s tells an open circuit from a lease.
    await(
        "the circuit opens",
        () ->
            ledger
                    .query(
                        "SELECT 1 FROM webhook_endpoints WHERE id = '"
                            + endpoint
                            + "' AND busy_until > now() + interval '30 seconds'")
                    .size()
                == 1);
    // Its other deliveries wait for the circuit too, so they do not stand at the head of the due
    // rows meanwhile.
    List<Row> due =
        ledger.query(
            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = '"
                + endpoint
                + "' AND status = 'pending' AND next_attempt_at < now() + interval '30 seconds'");
    assertThat(due.get(0).getLong(0)).as("deliveries due before the circuit closes").isLessThan(2);
    // At most the highest threshold among the instances sharing the database: another test
    // instance in this JVM may run the default of 5.
    assertThat(receiver.seen("/hang").requests.get()).isLessThanOrEqualTo(5);
  }

  private static String delivered(String transfer) {
    return "SELECT 1 FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
        + " WHERE e.transfer_id = '"
        + transfer
        + "' AND d.status = 'delivered'";
  }

  private static String register(Caller caller, String url) {
    Reply reply =
        api.post(
            "/v1/webhooks",
            caller.token(),
            new JsonObject()
                .put("url", url)
                .put("eventTypes", new JsonArray().add("transfer.created")));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    registered.add(new String[] {reply.json().getString("id"), caller.token()});
    return reply.json().getString("id");
  }

  // Waits for something that must happen; the bound is not a measure of how fast it happens.
  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
