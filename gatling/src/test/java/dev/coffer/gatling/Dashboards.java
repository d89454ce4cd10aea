package dev.coffer.gatling;

import static dev.coffer.gatling.CofferApi.deposit;
import static dev.coffer.gatling.CofferApi.newKey;
import static dev.coffer.gatling.CofferApi.smallAmount;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.WsFrameCheck;
import java.time.Duration;

/**
 * Live dashboards: one WebSocket per user on {@code /v1/stream}, subscribed to the user's account
 * from its first entry, while payers deposit into those accounts. Each dashboard must see its
 * account's entries in {@code seq} order, nothing missed and nothing twice: the first from the
 * backlog (the setup's deposit), the next ones live.
 *
 * <p>Written against the contract's "Real-time stream" section. A service without the stream
 * answers the handshake 404; the run then stops at once with that message (the build's smoke run
 * skips this simulation instead).
 */
public class Dashboards extends Simulation {
  /** Entries each dashboard waits for: the backlog's one and two live deposits. */
  private static final int ENTRIES = 3;

  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final UserPool pool = new UserPool();

  private static WsFrameCheck.Text entry(int seq) {
    return ws.checkTextMessage("entry " + seq)
        // Heartbeats and other accounts' messages do not match: the check waits past them.
        .matching(jsonPath("$.type").is("entry"), jsonPath("$.accountId").isEL("#{accountId}"))
        .check(jsonPath("$.entry.seq").ofInt().is(seq), jsonPath("$.balance").ofLong().exists());
  }

  private ScenarioBuilder dashboards() {
    WsFrameCheck.Text[] checks = new WsFrameCheck.Text[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
      checks[i] = entry(i + 1);
    }
    // Long enough for the payers to reach every account twice, at the configured rate.
    Duration wait =
        Duration.ofSeconds(
            Math.max(10, (long) Math.ceil(3 * ENTRIES * settings.users() / settings.rate())));
    return scenario("Dashboards: watchers")
        .exec(feed(pool.eachMemberFeeder()))
        .exec(ws("connect").connect("/v1/stream").subprotocol("bearer.#{token}"))
        .exec(
            ws("subscribe, entries arrive")
                .sendText(
                    "{\"op\":\"subscribe\",\"accounts\":[{\"id\":\"#{accountId}\",\"since\":0}]}")
                .await(wait)
                .on(checks))
        .exec(ws("close").close());
  }

  private ScenarioBuilder payers() {
    return scenario("Dashboards: payers")
        // In turn, not at random: every watched account gets its share of the deposits.
        .exec(feed(pool.roundRobinFeeder()))
        .exec(newKey(), smallAmount())
        .exec(deposit("deposit"));
  }

  {
    if (!StreamProbe.available(settings.baseUrl())) {
      throw new IllegalStateException(StreamProbe.missing(settings.baseUrl()));
    }
    System.out.println("Dashboards against " + settings.baseUrl() + ", " + settings.describe());
    setUp(
            Load.setup(
                    scenario("Dashboards: sign-up").exec(CofferApi.signUpAndFund(pool, "dash")),
                    settings)
                .andThen(
                    dashboards().injectOpen(rampUsers(settings.users()).during(settings.ramp())),
                    Load.load(payers(), settings)))
        .protocols(
            CofferApi.protocol(settings).wsBaseUrl(settings.baseUrl().replaceFirst("^http", "ws")))
        .assertions(
            global().failedRequests().percent().lte(settings.maxErrorPercent()),
            // The watchers' wait is the payers' pace, not a latency: p99 is the payers' deposits.
            details("deposit").responseTime().percentile(99.0).lte(settings.maxP99Ms()));
  }
}
