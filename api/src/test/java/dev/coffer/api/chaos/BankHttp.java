package dev.coffer.api.chaos;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The clients' HTTP: one request, and requests retried until a definitive answer. What is
 * definitive is the client's contract with Coffer: a 2xx, or a 4xx that says the request was
 * refused for good; a 5xx, 409 idempotency-request-in-progress, 429, 401 (a session lost with a
 * Redis master: log in again), a refused or reset connection and a timeout say nothing happened yet
 * that the client can count on, so the same request goes again with the same key.
 */
final class BankHttp {
  private final HttpClient http;
  private final String base;
  private final History history;
  private final Duration attemptTimeout;
  private final Duration patience;

  BankHttp(String base, History history, Duration attemptTimeout, Duration patience) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    this.base = base;
    this.history = history;
    this.attemptTimeout = attemptTimeout;
    this.patience = patience;
  }

  record Answer(int status, JsonObject body, boolean replayed) {
    String code() {
      return body == null ? null : body.getString("code");
    }

    String describe() {
      return status + (code() == null ? "" : " " + code());
    }
  }

  Answer send(String path, String token, String key, JsonObject body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(attemptTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    long sent = System.nanoTime();
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 201 && key != null) {
      history.moneyWritten(sent, System.nanoTime()); // only moves of money carry a key
    }
    JsonObject json = null;
    try {
      json = response.body().isEmpty() ? null : new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      // not JSON: the status says enough
    }
    return new Answer(
        response.statusCode(),
        json,
        response.headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false));
  }

  /**
   * Sends until definitive; null when the patience ran out. {@code customer} (may be null) is
   * logged in again on a 401. The answers on the way are counted as errors by kind.
   */
  Answer untilDefinitive(Customer customer, String path, String key, JsonObject body)
      throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + patience.toNanos();
    int failures = 0;
    while (System.nanoTime() < deadline) {
      String problem;
      long pauseMs;
      try {
        Answer answer = send(path, customer == null ? null : customer.token, key, body);
        if (answer.status() < 500
            && (answer.status() != 401 || customer == null)
            && answer.status() != 429
            && !"idempotency-request-in-progress".equals(answer.code())) {
          history.waited(System.nanoTime() - started);
          if (answer.replayed()) {
            history.replayed();
          }
          return answer;
        }
        problem = answer.describe();
        pauseMs = answer.status() == 429 ? 1000 : backoff(failures);
        if (answer.status() == 401) {
          history.error(problem);
          failures++;
          Thread.sleep(pauseMs);
          logIn(customer);
          continue;
        }
      } catch (IOException e) {
        problem = e.getClass().getSimpleName();
        pauseMs = backoff(failures);
      }
      history.error(problem);
      failures++;
      Thread.sleep(pauseMs);
    }
    history.waited(System.nanoTime() - started);
    return null;
  }

  /** Logs {@code customer} in (retrying like any request), setting its id and token. */
  void logIn(Customer customer) throws InterruptedException {
    Answer answer =
        untilDefinitive(
            null,
            "/v1/sessions",
            null,
            new JsonObject().put("email", customer.email).put("password", customer.password));
    if (answer == null || answer.status() != 201) {
      throw new IllegalStateException(
          "log-in of "
              + customer.email
              + ": "
              + (answer == null ? "no answer" : answer.describe()));
    }
    customer.id = java.util.UUID.fromString(answer.body().getString("userId"));
    customer.token = answer.body().getString("token");
  }

  // Exponential from 50 ms to 1 s, with jitter, so that 32 clients do not retry in step.
  private static long backoff(int failures) {
    long cap = Math.min(1000, 50L << Math.min(failures, 5));
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }
}
