package dev.coffer.gatling;

import static dev.coffer.gatling.CofferApi.AUTH;
import static dev.coffer.gatling.CofferApi.newKey;
import static dev.coffer.gatling.CofferApi.smallAmount;
import static dev.coffer.gatling.CofferApi.succeeds;
import static dev.coffer.gatling.CofferApi.transfer;
import static io.gatling.javaapi.core.CoreDsl.asLongAsDuring;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many payers paying one merchant account: every payment locks the same balance row, the case a
 * ledger serialises. At the end the merchant's balance must equal what the payers were told they
 * paid (allowing only for payments whose outcome the client never learnt, e.g. a timeout).
 */
public class HotMerchant extends Simulation {
  private static final long MAX_PAYMENT = 500;

  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final UserPool payers = new UserPool();
  private final UserPool merchants = new UserPool();
  private final AtomicLong confirmedPaid = new AtomicLong();
  private final AtomicLong unknownOutcomes = new AtomicLong();

  private ScenarioBuilder merchantSignUp() {
    // The merchant's own first deposit is in its balance too: the audit starts from it.
    return scenario("HotMerchant: merchant sign-up")
        .exec(CofferApi.signUpAndFund(merchants, "merchant"));
  }

  private UserPool.Member merchant() {
    return merchants.first();
  }

  private ChainBuilder payMerchant() {
    return exec(newKey(), smallAmount())
        .exec(
            session -> session.set("toAccountId", merchant().accountId()).remove("confirmedAmount"))
        .exec(
            transfer("pay merchant").check(jsonPath("$.amount").ofLong().saveAs("confirmedAmount")))
        .exec(
            session -> {
              if (session.contains("confirmedAmount")) {
                confirmedPaid.addAndGet(session.getLong("confirmedAmount"));
              } else {
                unknownOutcomes.incrementAndGet();
              }
              return session;
            });
  }

  private ScenarioBuilder payments() {
    return scenario("HotMerchant: payers")
        .exec(feed(payers.randomMemberFeeder()))
        .exec(repeat(settings.actions()).on(pause(settings.think()).exec(payMerchant())));
  }

  private boolean audited(Session session) {
    if (!session.contains("merchantBalance")) {
      return false;
    }
    long balance = session.getLong("merchantBalance");
    long expected = CofferApi.INITIAL_FUNDS + confirmedPaid.get();
    return balance >= expected && balance <= expected + unknownOutcomes.get() * MAX_PAYMENT;
  }

  /** The payers wrote through other sessions: the merchant's replica read may lag a moment. */
  private ScenarioBuilder audit() {
    return scenario("HotMerchant: audit")
        .exec(
            session ->
                session.set("token", merchant().token()).set("accountId", merchant().accountId()))
        .exec(
            asLongAsDuring(session -> !audited(session), Duration.ofSeconds(10))
                .on(
                    exec(http("merchant balance (settling)")
                            .get("/v1/accounts/#{accountId}")
                            .header("Authorization", AUTH)
                            .check(succeeds(200))
                            .check(jsonPath("$.balance").ofLong().saveAs("merchantBalance")))
                        .doIf(session -> !audited(session))
                        .then(pause(Duration.ofMillis(200)))))
        .exec(
            http("merchant balance = sum of payments")
                .get("/v1/accounts/#{accountId}")
                .header("Authorization", AUTH)
                .check(succeeds(200))
                .check(
                    jsonPath("$.balance")
                        .ofLong()
                        .validate(
                            "equals the initial deposit plus every confirmed payment",
                            (balance, session) -> {
                              long expected = CofferApi.INITIAL_FUNDS + confirmedPaid.get();
                              long slack = unknownOutcomes.get() * MAX_PAYMENT;
                              if (balance < expected || balance > expected + slack) {
                                throw new IllegalStateException(
                                    "merchant balance %d, expected %d (+ at most %d unconfirmed)"
                                        .formatted(balance, expected, slack));
                              }
                              return balance;
                            })));
  }

  {
    System.out.println("HotMerchant against " + settings.baseUrl() + ", " + settings.describe());
    setUp(
            merchantSignUp()
                .injectOpen(atOnceUsers(1))
                .andThen(
                    Load.setup(
                        scenario("HotMerchant: payer sign-up")
                            .exec(CofferApi.signUpAndFund(payers, "payer")),
                        settings))
                .andThen(Load.load(payments(), settings))
                .andThen(audit().injectOpen(atOnceUsers(1))))
        .protocols(CofferApi.protocol(settings))
        .assertions(Load.assertions(settings));
  }
}
