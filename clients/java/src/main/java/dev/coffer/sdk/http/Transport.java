package dev.coffer.sdk.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.sdk.model.Problem;
import dev.coffer.sdk.problem.Problems;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Sends one API call: JSON in and out, the bearer token, the consistency token on reads (and kept
 * from every answer), retries as {@link RetryPolicy} says with the same Idempotency-Key, and a
 * problem answer turned into its typed exception.
 */
public final class Transport {
  private static final String PROBLEM = "application/problem+json";

  private final HttpClient http;
  private final URI base;
  private final ObjectMapper json;
  private final RetryPolicy retries;
  private final Duration timeout;
  private final Sleeper sleeper;

  /** How the transport waits between attempts; tests may count instead. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  public Transport(
      HttpClient http,
      URI base,
      ObjectMapper json,
      RetryPolicy retries,
      Duration timeout,
      Sleeper sleeper) {
    this.http = http;
    this.base = base;
    this.json = json;
    this.retries = retries;
    this.timeout = timeout;
    this.sleeper = sleeper;
  }

  public ObjectMapper json() {
    return json;
  }

  /** One call to make: what a caller of the API says. */
  public record Call(
      String method,
      String path,
      Object body,
      String token,
      String idempotencyKey,
      ConsistencyTokens consistency) {}

  /** What the service answered to a call that succeeded. */
  public record Answer(int status, String body, boolean replayed, String consistencyToken) {}

  public <T> T send(Call call, Class<T> type) {
    Answer answer = send(call);
    if (type == Void.class || answer.body().isEmpty()) {
      return null;
    }
    try {
      return json.readValue(answer.body(), type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "unreadable answer to " + call.method() + " " + call.path(), e);
    }
  }

  public Answer send(Call call) {
    RetryPolicy.Safety safety =
        call.method().equals("POST") && call.idempotencyKey() == null
            ? RetryPolicy.Safety.ONCE_ONLY
            : RetryPolicy.Safety.REPEATABLE;
    HttpRequest request = request(call);
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        boolean connected = !(e instanceof ConnectException);
        if (attempt >= retries.maxAttempts()
            || !retries.retriesConnectionFailure(safety, connected)) {
          throw new CofferConnectionException(
              call.method() + " " + call.path() + " failed after " + attempt + " attempt(s)", e);
        }
        pause(retries.delayAfter(attempt, Optional.empty()));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      String token = response.headers().firstValue(ConsistencyTokens.HEADER).orElse(null);
      if (call.consistency() != null) {
        call.consistency().observe(token);
      }
      int status = response.statusCode();
      if (status < 400) {
        boolean replayed =
            response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true");
        return new Answer(status, response.body(), replayed, token);
      }
      Problem problem = problem(response);
      if (attempt < retries.maxAttempts()
          && retries.retriesStatus(safety, status, problem.getCode())) {
        pause(
            retries.delayAfter(
                attempt,
                RetryPolicy.parseRetryAfter(
                    response.headers().firstValue("Retry-After").orElse(null))));
        continue;
      }
      throw Problems.from(status, problem);
    }
  }

  private HttpRequest request(Call call) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(call.path()))
            .timeout(timeout)
            .header("Accept", "application/json");
    if (call.token() != null) {
      builder.header("Authorization", "Bearer " + call.token());
    }
    if (call.idempotencyKey() != null) {
      builder.header("Idempotency-Key", call.idempotencyKey());
    }
    if (call.method().equals("GET")
        && call.consistency() != null
        && call.consistency().current() != null) {
      builder.header(ConsistencyTokens.HEADER, call.consistency().current());
    }
    if (call.body() != null) {
      try {
        builder.header("Content-Type", "application/json");
        builder.method(
            call.method(),
            HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(call.body())));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot write the body of " + call.path(), e);
      }
    } else {
      builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
    }
    return builder.build();
  }

  private Problem problem(HttpResponse<String> response) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (type.startsWith(PROBLEM) && !response.body().isEmpty()) {
      try {
        return json.readValue(response.body(), Problem.class);
      } catch (JsonProcessingException e) {
        // Not the problem the contract promises (a proxy's page, say): described below.
      }
    }
    return new Problem()
        .status((long) response.statusCode())
        .code("http-" + response.statusCode())
        .title("HTTP " + response.statusCode())
        .detail("an answer that is not a problem document (" + type + ")");
  }

  private void pause(Duration delay) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }
}
