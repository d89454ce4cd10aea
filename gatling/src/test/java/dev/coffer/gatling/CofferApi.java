package dev.coffer.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.exitBlockOnFail;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Coffer's requests as Gatling steps, with the checks every simulation applies: the expected
 * status, and the problem {@code code} (exactly the expected one, or none on a success).
 */
final class CofferApi {
  static final String AUTH = "Bearer #{token}";
  private static final String API_KEY =
      "{\"name\":\"load\",\"scopes\":[\"accounts:read\",\"transfers:write\",\"stream:read\"]}";

  /** Enough that no payment in a run is refused for funds: money moves only in small amounts. */
  static final long INITIAL_FUNDS = 100_000_000L;

  private CofferApi() {}

  static HttpProtocolBuilder protocol(LoadSettings settings) {
    HttpProtocolBuilder protocol =
        http.baseUrl(settings.baseUrl())
            .acceptHeader("application/json")
            .contentTypeHeader("application/json")
            .userAgentHeader("coffer-gatling");
    // Clients behind one gateway share its keep-alive connections; -DshareConnections=false gives
    // every virtual user its own, as browsers and phones would have.
    return Boolean.parseBoolean(System.getProperty("shareConnections", "true"))
        ? protocol.shareConnections()
        : protocol;
  }

  /** Checks of a request that must succeed with {@code status}. */
  static CheckBuilder[] succeeds(int status) {
    return new CheckBuilder[] {
      // A body with a code is a problem, whatever its status says.
      jsonPath("$.code").notExists(), status().is(status),
    };
  }

  /** Checks of a request that must fail with {@code status} and the problem {@code code}. */
  static CheckBuilder[] fails(int status, String code) {
    return new CheckBuilder[] {
      status().is(status),
      header("Content-Type").is("application/problem+json"),
      jsonPath("$.code").is(code),
    };
  }

  /**
   * Sign-up, log-in, one EUR account and its first deposit, for each e-mail the feeder gives; each
   * user that gets through joins {@code pool}, with its session's token.
   */
  static ChainBuilder signUpAndFund(UserPool pool, String prefix) {
    return signUpAndFund(pool, prefix, false);
  }

  /**
   * As {@link #signUpAndFund(UserPool, String)}; with {@code apiKey}, the user then makes an API
   * key (accounts, transfers and the stream, on every account) and everything after runs on it, as
   * a machine client would, instead of the session.
   */
  static ChainBuilder signUpAndFund(UserPool pool, String prefix, boolean apiKey) {
    return feed(pool.signUpFeeder(prefix))
        .exec(
            exitBlockOnFail()
                .on(
                    exec(http("sign up")
                            .post("/v1/users")
                            .body(
                                StringBody("{\"email\":\"#{email}\",\"password\":\"#{password}\"}"))
                            .check(succeeds(201)))
                        .exec(
                            http("log in")
                                .post("/v1/sessions")
                                .body(
                                    StringBody(
                                        "{\"email\":\"#{email}\",\"password\":\"#{password}\"}"))
                                .check(succeeds(201))
                                .check(jsonPath("$.token").saveAs("token")))
                        .exec(
                            http("open account")
                                .post("/v1/accounts")
                                .header("Authorization", AUTH)
                                .body(StringBody("{\"currency\":\"EUR\",\"name\":\"load\"}"))
                                .check(succeeds(201))
                                .check(jsonPath("$.id").saveAs("accountId")))
                        .doIf(session -> apiKey)
                        .then(
                            exec(
                                http("create API key")
                                    .post("/v1/api-keys")
                                    .header("Authorization", AUTH)
                                    .body(StringBody(API_KEY))
                                    .check(succeeds(201))
                                    .check(jsonPath("$.key").saveAs("token"))))
                        .exec(newKey())
                        .exec(session -> session.set("amount", INITIAL_FUNDS))
                        .exec(deposit("initial deposit"))
                        .exec(
                            session -> {
                              pool.add(
                                  new UserPool.Member(
                                      session.getString("email"),
                                      session.getString("token"),
                                      session.getString("accountId")));
                              return session;
                            })));
  }

  /** A fresh {@code key} for the next money movement. */
  static ChainBuilder newKey() {
    return exec(session -> session.set("key", UUID.randomUUID().toString()));
  }

  static ChainBuilder smallAmount() {
    return exec(session -> session.set("amount", ThreadLocalRandom.current().nextLong(1, 500)));
  }

  static HttpRequestActionBuilder readAccount(String name) {
    return http(name)
        .get("/v1/accounts/#{accountId}")
        .header("Authorization", AUTH)
        .check(succeeds(200))
        .check(jsonPath("$.balance").ofLong().exists());
  }

  static HttpRequestActionBuilder deposit(String name) {
    return http(name)
        .post("/v1/deposits")
        .header("Authorization", AUTH)
        .header("Idempotency-Key", "#{key}")
        .body(StringBody("{\"accountId\":\"#{accountId}\",\"amount\":#{amount}}"))
        .check(succeeds(201))
        .check(header("Idempotent-Replayed").notExists());
  }

  /** A payment from {@code #{accountId}} to {@code #{toAccountId}} of {@code #{amount}}. */
  static HttpRequestActionBuilder transfer(String name) {
    return http(name)
        .post("/v1/transfers")
        .header("Authorization", AUTH)
        .header("Idempotency-Key", "#{key}")
        .body(
            StringBody(
                "{\"fromAccountId\":\"#{accountId}\",\"toAccountId\":\"#{toAccountId}\","
                    + "\"amount\":#{amount},\"description\":\"load\"}"))
        .check(succeeds(201));
  }
}
