package dev.coffer.api.http;

import dev.coffer.ledger.LedgerException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * An RFC 9457 problem: what every error response of the API carries. {@code reason} narrows a
 * code's family (why a settle was refused); null for every other problem. {@code requiredScope}
 * names the scope an API key lacked ({@code insufficient-scope} only).
 */
public record Problem(
    int status,
    String code,
    String title,
    String detail,
    String reason,
    JsonArray errors,
    String requiredScope) {
  public static final String CONTENT_TYPE = "application/problem+json";

  // Status and title of every code the API answers; a code missing here is a bug (500).
  private static final Map<String, Kind> KINDS =
      Map.ofEntries(
          kind("malformed-request", 400, "Malformed request"),
          kind("malformed-json", 400, "Malformed JSON"),
          kind("invalid-parameter", 400, "Invalid parameter"),
          kind("idempotency-key-required", 400, "Idempotency-Key required"),
          kind("unauthenticated", 401, "Unauthenticated"),
          kind("invalid-credentials", 401, "Invalid credentials"),
          kind("insufficient-scope", 403, "Insufficient scope"),
          kind("not-found", 404, "Not found"),
          kind("method-not-allowed", 405, "Method not allowed"),
          kind("email-taken", 409, "E-mail already registered"),
          kind("transfer-not-pending", 409, "Transfer not pending"),
          kind("transfer-not-reversible", 409, "Transfer not reversible"),
          kind("version-mismatch", 409, "Version mismatch"),
          kind("condition-failed", 422, "Condition failed"),
          kind("reversal-exceeds-transfer", 422, "Reversal exceeds transfer"),
          kind("capture-exceeds-hold", 422, "Capture exceeds hold"),
          kind("account-closed", 409, "Account closed"),
          kind("account-has-holds", 409, "Account has holds"),
          kind("account-not-empty", 409, "Account not empty"),
          kind("idempotency-request-in-progress", 409, "Request in progress"),
          kind("request-timeout", 408, "Request timeout"),
          kind("payload-too-large", 413, "Payload too large"),
          kind("upgrade-required", 426, "Upgrade required"),
          kind("uri-too-long", 414, "URI too long"),
          kind("unsupported-media-type", 415, "Unsupported media type"),
          kind("rate-limited", 429, "Too many requests"),
          kind("headers-too-large", 431, "Request headers too large"),
          kind("validation", 422, "Validation failed"),
          kind("insufficient-funds", 422, "Insufficient funds"),
          kind("currency-mismatch", 422, "Currency mismatch"),
          kind("same-account", 422, "Same account"),
          kind("amount-overflow", 422, "Amount overflow"),
          kind("idempotency-key-reused", 422, "Idempotency-Key reused"),
          kind("service-unavailable", 503, "Service unavailable"),
          kind("overloaded", 503, "Overloaded"),
          kind("internal", 500, "Internal error"));

  // What the database's refusals (which carry only their code) mean, in words.
  private static final Map<String, String> DETAILS =
      Map.ofEntries(
          Map.entry(
              "account-closed",
              "a closed account refuses every move into or out of it until it is reopened"),
          Map.entry(
              "account-has-holds",
              "an account with a pending transfer on it, either side, cannot be closed"),
          Map.entry(
              "account-not-empty",
              "an account with a balance cannot be closed unless the balance is swept"),
          Map.entry(
              "transfer-not-reversible",
              "only what moved of a transfer between users can be reversed, by its payee"),
          Map.entry(
              "reversal-exceeds-transfer",
              "the amount exceeds what is left to reverse of the transfer"),
          Map.entry(
              "capture-exceeds-hold",
              "the amount exceeds what is left of the pending transfer's hold"),
          Map.entry(
              "insufficient-funds", "the account's available balance does not cover the amount"),
          Map.entry("currency-mismatch", "both accounts must hold the same currency"),
          Map.entry("same-account", "the source and destination accounts must differ"),
          Map.entry(
              "transfer-not-pending",
              "only a pending transfer can be posted or voided, by the source account's owner"),
          Map.entry("condition-failed", "the balances the move would leave break this condition"),
          Map.entry("not-found", "no such resource"));

  private record Kind(int status, String title) {}

  private static Map.Entry<String, Kind> kind(String code, int status, String title) {
    return Map.entry(code, new Kind(status, title));
  }

  /** The problem for a known {@code code}; an unknown one is reported as an internal error. */
  public static Problem of(String code, String detail) {
    Kind kind = KINDS.get(code);
    if (kind == null) {
      return new Problem(500, "internal", "Internal error", "unexpected error", null, null, null);
    }
    String text =
        detail == null || detail.equals(code) ? DETAILS.getOrDefault(code, kind.title()) : detail;
    return new Problem(kind.status(), code, kind.title(), text, null, null, null);
  }

  /** The problem for a ledger rule's refusal, with its reason when it has one. */
  public static Problem of(LedgerException refused) {
    Problem problem = of(refused.code(), refused.getMessage());
    if (refused.pointer() != null) {
      // A transaction's leg, a condition or a version lock: named in the detail and in errors.
      problem =
          new Problem(
                  problem.status,
                  problem.code,
                  problem.title,
                  problem.detail.startsWith(refused.pointer())
                      ? problem.detail
                      : refused.pointer() + ": " + problem.detail,
                  null,
                  null,
                  null)
              .withErrors(
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("field", refused.pointer())
                              .put("message", problem.detail)));
    }
    return refused.refusal() == null ? problem : problem.withReason(refused.refusal().code());
  }

  /** Every code the API answers with. */
  public static java.util.Set<String> codes() {
    return KINDS.keySet();
  }

  /** Whether {@code code} is one the API answers with. */
  public static boolean isKnown(String code) {
    return KINDS.containsKey(code);
  }

  /** This problem with a list of {@code {field, message}} (or {@code {index, ...}}) details. */
  public Problem withErrors(JsonArray errors) {
    return new Problem(status, code, title, detail, reason, errors, requiredScope);
  }

  /** This problem naming the scope a key lacked. */
  public Problem withRequiredScope(String scope) {
    return new Problem(status, code, title, detail, reason, errors, scope);
  }

  /** This problem with its reason. */
  public Problem withReason(String reason) {
    return new Problem(status, code, title, detail, reason, errors, requiredScope);
  }

  /** This problem answered with another status and detail (a batch answers 422 for any item). */
  public Problem restated(int status, String detail) {
    return new Problem(status, code, title, detail, reason, errors, requiredScope);
  }

  /** The problem as the JSON body of a response. */
  public Buffer toBuffer() {
    return toBuffer(null);
  }

  /** The problem as the JSON body of a response, naming the request's trace when not null. */
  public Buffer toBuffer(String traceId) {
    JsonObject body =
        new JsonObject()
            .put("type", "urn:coffer:problem:" + code)
            .put("title", title)
            .put("status", status)
            .put("detail", detail == null ? title : detail)
            .put("code", code);
    if (reason != null) {
      body.put("reason", reason);
    }
    if (errors != null) {
      body.put("errors", errors);
    }
    if (requiredScope != null) {
      body.put("requiredScope", requiredScope);
    }
    if (traceId != null) {
      body.put("traceId", traceId);
    }
    return body.toBuffer();
  }
}
