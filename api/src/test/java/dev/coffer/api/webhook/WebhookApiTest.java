package dev.coffer.api.webhook;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.Scrape;
import dev.coffer.api.webhook.Receiver.Hit;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks end to end: a real receiver on this machine gets signed events for both sides of a
 * transfer, a failing one is retried, a slow one is retried and sees the event id again.
 */
@ExtendWith(LedgerExtension.class)
class WebhookApiTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    // Past the test instances' 500 ms delivery time limit.
    receiver = new Receiver(Duration.ofMillis(1500));
  }

  @AfterAll
  static void stop() throws Exception {
    receiver.close();
  }

  @Test
  void signedEventsReachBothSidesForTheTypesEachSubscribedTo() throws Exception {
    Caller alice = api.newCaller();
    Caller bob = api.newCaller();
    String aliceAccount = api.openAccount(alice, "EUR");
    String bobAccount = api.openAccount(bob, "EUR");
    JsonObject aliceHook =
        register(
            alice,
            receiver.url("/ok?who=alice"),
            "transfer.created",
            "transfer.posted",
            "transfer.voided",
            "transfer.expired",
            "transfer.reversed");
    JsonObject bobHook = register(bob, receiver.url("/ok?who=bob"), "transfer.created");
    assertThat(aliceHook.getString("secret")).startsWith("whsec_").hasSize(49);

    String deposit = api.deposit(alice, aliceAccount, 1_000).getString("id");
    String pending = api.pending(alice, aliceAccount, bobAccount, 250);
    assertThat(api.move("/v1/transfers/" + pending + "/post", alice.token(), null).status())
        .isEqualTo(200);

    // Alice: the deposit created and posted, the payment created and posted.
    List<Hit> aliceHits =
        receiver.await("/ok", hits -> forWhom(hits, "alice", aliceHook).size() >= 4);
    List<JsonObject> aliceEvents = forWhom(aliceHits, "alice", aliceHook);
    assertThat(
            aliceEvents.stream()
                .map(e -> e.getJsonObject("data").getString("id") + " " + e.getString("type"))
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            deposit + " transfer.created",
            deposit + " transfer.posted",
            pending + " transfer.created",
            pending + " transfer.posted");
    JsonObject depositEvent =
        aliceEvents.stream()
            .filter(e -> e.getJsonObject("data").getString("id").equals(deposit))
            .findFirst()
            .orElseThrow();
    // The settlement side is hidden, as in the API.
    assertThat(depositEvent.getJsonObject("data").getValue("fromAccountId")).isNull();
    assertThat(depositEvent.getJsonObject("data").getString("toAccountId")).isEqualTo(aliceAccount);

    // Bob: only what he subscribed to, as events of his own (other ids than Alice's).
    List<JsonObject> bobEvents =
        forWhom(
            receiver.await("/ok", hits -> forWhom(hits, "bob", bobHook).size() >= 1),
            "bob",
            bobHook);
    assertThat(bobEvents).hasSize(1);
    JsonObject bobEvent = bobEvents.get(0);
    assertThat(bobEvent.getString("type")).isEqualTo("transfer.created");
    assertThat(bobEvent.getJsonObject("data").getString("id")).isEqualTo(pending);
    assertThat(bobEvent.getJsonObject("data").getString("status")).isEqualTo("pending");
    assertThat(aliceEvents)
        .extracting(e -> e.getString("id"))
        .doesNotContain(bobEvent.getString("id"));

    // The list a receiver catches up from: newest first, the same ids; secrets never again.
    JsonArray listed = api.get("/v1/events?limit=200", alice.token()).json().getJsonArray("data");
    Set<String> listedIds =
        listed.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
    assertThat(listedIds).containsAll(aliceEvents.stream().map(e -> e.getString("id")).toList());
    assertThat(listed.getJsonObject(0).getString("id"))
        .isGreaterThan(listed.getJsonObject(listed.size() - 1).getString("id"));
    JsonArray hooks = api.get("/v1/webhooks", alice.token()).json().getJsonArray("data");
    assertThat(hooks).hasSize(1);
    assertThat(hooks.getJsonObject(0).containsKey("secret")).isFalse();
    assertThat(
            api.get("/v1/events", bob.token()).json().getJsonArray("data").stream()
                .map(o -> ((JsonObject) o).getString("type"))
                .toList())
        .contains("transfer.created", "transfer.posted"); // listed, though not all sent

    api.delete("/v1/webhooks/" + aliceHook.getString("id"), alice.token());
    api.delete("/v1/webhooks/" + bobHook.getString("id"), bob.token());
  }

  @Test
  void aReceiverThatFailsIsRetriedWithTheSameEventAndBody(LedgerFixture ledger) throws Exception {
    double rejected = Scrape.value(api, "coffer_webhook_deliveries_total", "outcome=\"rejected\"");
    Caller carol = api.newCaller();
    String account = api.openAccount(carol, "EUR");
    JsonObject hook = register(carol, receiver.url("/flaky"), "transfer.created");
    String deposit = api.deposit(carol, account, 5).getString("id");

    List<Hit> hits =
        receiver.await(
            "/flaky",
            all -> all.stream().anyMatch(h -> h.answer() == 200 && mine(h, hook) != null));
    List<Hit> mine = hits.stream().filter(h -> mine(h, hook) != null).toList();
    assertThat(mine.get(0).answer()).isEqualTo(500);
    assertThat(mine.get(mine.size() - 1).answer()).isEqualTo(200);
    assertThat(mine.stream().map(Hit::eventId).distinct()).hasSize(1);
    assertThat(mine.stream().map(h -> h.body().toString()).distinct()).hasSize(1);
    assertThat(mine(mine.get(0), hook).getJsonObject("data").getString("id")).isEqualTo(deposit);
    assertThat(Scrape.value(api, "coffer_webhook_deliveries_total", "outcome=\"rejected\""))
        .isGreaterThan(rejected);
    String eventId = mine.get(0).eventId();
    // Recorded once the 200 is: wait for the row, not for a time.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String status;
    do {
      status =
          ledger
              .query("SELECT status FROM webhook_deliveries WHERE event_id = '" + eventId + "'")
              .get(0)
              .getString(0);
      Thread.sleep(20);
    } while (!status.equals("delivered") && System.nanoTime() < deadline);
    assertThat(status).isEqualTo("delivered");
    api.delete("/v1/webhooks/" + hook.getString("id"), carol.token());
  }

  @Test
  void aReceiverTooSlowToAnswerGetsTheEventAgainAndDeduplicatesIt() throws Exception {
    double timeouts = Scrape.value(api, "coffer_webhook_deliveries_total", "outcome=\"timeout\"");
    Caller dave = api.newCaller();
    String account = api.openAccount(dave, "EUR");
    JsonObject hook = register(dave, receiver.url("/slow"), "transfer.created");
    api.deposit(dave, account, 5);

    List<Hit> mine =
        receiver
            .await("/slow", all -> all.stream().filter(h -> mine(h, hook) != null).count() >= 2)
            .stream()
            .filter(h -> mine(h, hook) != null)
            .toList();
    // The first attempt reached the receiver, but its answer came too late: sent again, same id.
    assertThat(mine.get(0).eventId()).isEqualTo(mine.get(1).eventId());
    assertThat(receiver.processed().stream().filter(k -> k.endsWith(mine.get(0).eventId())))
        .hasSize(1);
    assertThat(Scrape.value(api, "coffer_webhook_deliveries_total", "outcome=\"timeout\""))
        .isGreaterThan(timeouts);
    api.delete("/v1/webhooks/" + hook.getString("id"), dave.token());
  }

  @Test
  void badUrlsAndTypesAre422AndAStrangerCannotRemoveAnEndpoint() {
    Caller erin = api.newCaller();
    for (String url : new String[] {"ftp://example.com/x", "https://u:p@example.com/", "http://"}) {
      assertProblem(
          api.post(
              "/v1/webhooks",
              erin.token(),
              new JsonObject()
                  .put("url", url)
                  .put("eventTypes", new JsonArray().add("transfer.created"))),
          422,
          "validation");
    }
    assertProblem(
        api.post(
            "/v1/webhooks",
            erin.token(),
            new JsonObject()
                .put("url", "https://hooks.invalid/x")
                .put("eventTypes", new JsonArray().add("account.created"))),
        422,
        "validation");
    JsonObject hook = register(erin, "https://hooks.invalid/erin", "transfer.posted");
    Caller mallory = api.newCaller();
    assertProblem(
        api.delete("/v1/webhooks/" + hook.getString("id"), mallory.token()), 404, "not-found");
    assertThat(api.get("/v1/webhooks", erin.token()).json().getJsonArray("data")).hasSize(1);
    assertThat(api.delete("/v1/webhooks/" + hook.getString("id"), erin.token()).status())
        .isEqualTo(204);
    assertProblem(
        api.delete("/v1/webhooks/" + hook.getString("id"), erin.token()), 404, "not-found");
  }

  @Test
  void everyUrlDeliveryWouldRefuseIsRefusedAtRegistration() {
    // Issue 27, finding 8: these were registered (201), and delivery refused or misread them.
    ApiInstance strict = ApiInstance.start(Map.of("COFFER_WEBHOOK_ALLOW_PRIVATE", "false"));
    try (ApiClient client = strict.client()) {
      Caller frank = client.newCaller();
      List<String> urls =
          new ArrayList<>(
              List.of(
                  "http://0/",
                  "http://2130706433/",
                  "http://0177.0.0.1/",
                  "http://[::1%25lo]/",
                  "http://[fe80::1%25lo]/",
                  "http://localhost./",
                  "http://metadata.google.internal./",
                  "http://localhost.localdomain/",
                  "http://[64:ff9b::7f00:1]/",
                  "http://[2002:7f00:1::]/",
                  "http://198.18.0.1/"));
      String fromHosts = WebhookUrlsTest.loopbackNameFromHosts();
      if (fromHosts != null) {
        urls.add("http://" + fromHosts + "/");
      }
      for (String url : urls) {
        assertProblem(
            client.post(
                "/v1/webhooks",
                frank.token(),
                new JsonObject()
                    .put("url", url)
                    .put("eventTypes", new JsonArray().add("transfer.created"))),
            422,
            "validation");
      }
      assertThat(client.get("/v1/webhooks", frank.token()).json().getJsonArray("data")).isEmpty();
      // A public name that does not resolve now is left to delivery.
      assertThat(
              client
                  .post(
                      "/v1/webhooks",
                      frank.token(),
                      new JsonObject()
                          .put("url", "https://hooks.invalid/frank")
                          .put("eventTypes", new JsonArray().add("transfer.created")))
                  .status())
          .isEqualTo(201);
    } finally {
      strict.close();
    }
  }

  private static JsonObject register(Caller caller, String url, String... types) {
    Reply reply =
        api.post(
            "/v1/webhooks",
            caller.token(),
            new JsonObject().put("url", url).put("eventTypes", new JsonArray(List.of(types))));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    return reply.json();
  }

  // The event a hit carries, if it was signed with this endpoint's secret (else null: another's).
  private static JsonObject mine(Hit hit, JsonObject hook) {
    Map<String, String> parts =
        java.util.Arrays.stream(hit.signature().split(","))
            .map(p -> p.split("=", 2))
            .collect(Collectors.toMap(p -> p[0], p -> p[1]));
    long t = Long.parseLong(parts.get("t"));
    String expected = WebhookSigner.hmac(hook.getString("secret"), t, hit.body().getBytes());
    if (!expected.equals(parts.get("v1"))) {
      return null;
    }
    JsonObject event = hit.body().toJsonObject();
    assertThat(event.getString("id")).isEqualTo(hit.eventId());
    assertThat(event.getString("type")).isEqualTo(hit.type());
    assertThat(Math.abs(System.currentTimeMillis() / 1000 - t)).isLessThan(600);
    return event;
  }

  private static List<JsonObject> forWhom(List<Hit> hits, String who, JsonObject hook) {
    return hits.stream()
        .filter(h -> h.answer() == 200)
        .map(h -> mine(h, hook))
        .filter(e -> e != null)
        .collect(Collectors.toMap(e -> e.getString("id"), e -> e, (a, b) -> a))
        .values()
        .stream()
        .toList();
  }
}
