package dev.coffer.gatling;

import static dev.coffer.gatling.CofferApi.AUTH;
import static dev.coffer.gatling.CofferApi.deposit;
import static dev.coffer.gatling.CofferApi.fails;
import static dev.coffer.gatling.CofferApi.newKey;
import static dev.coffer.gatling.CofferApi.readAccount;
import static dev.coffer.gatling.CofferApi.smallAmount;
import static dev.coffer.gatling.CofferApi.succeeds;
import static dev.coffer.gatling.CofferApi.transfer;
import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Users of a wallet: after a setup phase that signs them up, each visit reads the balance and then
 * does a few of: deposits, payments to other users (some retried with the same Idempotency-Key, as
 * a client would after a lost answer, which must come back replayed), pages of the journal, and
 * pending payments that are posted or voided (a few voided again too late, which must be refused).
 * Each user, once signed up, makes an API key and the visits run on it, as a machine client's
 * would: the key's checks and limits are on the measured path.
 */
public class MoneyFlow extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final UserPool pool = new UserPool();
  private final StepRecorder steps = StepRecorder.fromSettings(settings);

  /** A payment to a peer; a share is sent again with the same key and must be replayed. */
  private ChainBuilder pay() {
    return exec(newKey(), smallAmount())
        .exec(
            session ->
                session.set("toAccountId", session.getString("peerAccountId")).remove("transferId"))
        .exec(transfer("pay").check(jsonPath("$.id").saveAs("transferId")))
        // Only an answered payment is replayed: a failed one stored nothing and would run afresh.
        .doIf(
            session ->
                session.contains("transferId")
                    && ThreadLocalRandom.current().nextDouble() < settings.retryShare())
        .then(
            exec(
                transfer("pay (retry, same key)")
                    .check(header("Idempotent-Replayed").is("true"))
                    .check(jsonPath("$.id").isEL("#{transferId}"))));
  }

  private ChainBuilder depositSome() {
    return exec(newKey(), smallAmount()).exec(deposit("deposit"));
  }

  /** The newest page of the journal, then the next one when there is one. */
  private ChainBuilder browseEntries() {
    return exec(session -> session.remove("cursor"))
        .exec(
            http("entries")
                .get("/v1/accounts/#{accountId}/entries?limit=20")
                .header("Authorization", AUTH)
                .check(succeeds(200))
                .check(jsonPath("$.data").exists())
                .check(jsonPath("$.nextCursor").ofString().optional().saveAs("cursor")))
        .doIf(MoneyFlow::hasCursor)
        .then(
            exec(
                http("entries (next page)")
                    .get(
                        session ->
                            "/v1/accounts/"
                                + session.getString("accountId")
                                + "/entries?limit=20&cursor="
                                + URLEncoder.encode(
                                    session.getString("cursor"), StandardCharsets.UTF_8))
                    .header("Authorization", AUTH)
                    .check(succeeds(200))));
  }

  private static boolean hasCursor(Session session) {
    // The last page's nextCursor is JSON null, saved as a Java null.
    return session.contains("cursor") && session.getString("cursor") != null;
  }

  /** A pending payment, settled one way or the other; a few are then voided again, too late. */
  private ChainBuilder pendingPayment() {
    return exec(newKey(), smallAmount())
        .exec(session -> session.remove("transferId").remove("settled"))
        .exec(
            http("pending pay")
                .post("/v1/transfers")
                .header("Authorization", AUTH)
                .header("Idempotency-Key", "#{key}")
                .body(
                    StringBody(
                        "{\"fromAccountId\":\"#{accountId}\",\"toAccountId\":\"#{peerAccountId}\","
                            + "\"amount\":#{amount},\"pending\":true,\"expiresInSeconds\":600}"))
                .check(succeeds(201))
                .check(jsonPath("$.status").is("pending"))
                .check(jsonPath("$.id").saveAs("transferId")))
        // A payment that failed has nothing to settle; its failure is already counted.
        .doIf(session -> session.contains("transferId"))
        .then(settleLater());
  }

  private ChainBuilder settleLater() {
    return pause(settings.think())
        .exec(newKey())
        .randomSwitch()
        .on(percent(60).then(settle("post", "posted")), percent(40).then(settle("void", "voided")))
        .doIf(
            session ->
                session.contains("settled") && ThreadLocalRandom.current().nextDouble() < 0.1)
        .then(
            exec(newKey())
                .exec(
                    http("void (already settled)")
                        .post("/v1/transfers/#{transferId}/void")
                        .header("Authorization", AUTH)
                        .header("Idempotency-Key", "#{key}")
                        .check(fails(409, "transfer-not-pending"))));
  }

  private static ChainBuilder settle(String action, String status) {
    return exec(
        http(action)
            .post("/v1/transfers/#{transferId}/" + action)
            .header("Authorization", AUTH)
            .header("Idempotency-Key", "#{key}")
            .check(succeeds(200))
            .check(jsonPath("$.status").is(status).saveAs("settled")));
  }

  private ScenarioBuilder visits() {
    return scenario("MoneyFlow: visits")
        .exec(
            session -> {
              if (steps != null) {
                steps.loadStarted();
              }
              return session;
            })
        .exec(feed(pool.randomMemberFeeder()))
        .exec(readAccount("balance"))
        .exec(
            repeat(settings.actions())
                .on(
                    pause(settings.think())
                        .randomSwitch()
                        .on(
                            percent(25).then(depositSome()),
                            percent(30).then(pay()),
                            percent(15).then(browseEntries()),
                            percent(15).then(pendingPayment()),
                            percent(15).then(exec(readAccount("balance"))))));
  }

  {
    System.out.println("MoneyFlow against " + settings.baseUrl() + ", " + settings.describe());
    setUp(
            Load.setup(
                    scenario("MoneyFlow: sign-up")
                        .exec(CofferApi.signUpAndFund(pool, "flow", true)),
                    settings)
                .andThen(Load.load(visits(), settings)))
        .protocols(
            steps == null
                ? CofferApi.protocol(settings)
                : steps.attachTo(CofferApi.protocol(settings)))
        .assertions(Load.assertions(settings));
  }

  @Override
  public void after() {
    if (steps != null) {
      steps.write();
    }
  }
}
