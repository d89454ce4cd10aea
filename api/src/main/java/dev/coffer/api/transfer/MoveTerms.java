package dev.coffer.api.transfer;

import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.ledger.transfer.Terms;
import dev.coffer.ledger.transfer.TransferRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A move's terms as the contract writes them: {@code amount: "available"} or {@code upTo}
 * (balancing), {@code effectiveAt} (back-dating, within {@code window}), {@code ifAccountVersion}
 * and {@code require}. The schema has checked their shapes; the rules between fields are checked
 * here.
 */
public final class MoveTerms {
  /** The amount a balancing move is asked for when it takes all that is available. */
  public static final long ALL_AVAILABLE = TransferRequest.MAX_AMOUNT;

  private final Duration window;

  public MoveTerms(Duration window) {
    this.window = window;
  }

  /** The amount asked: a number, everything available ({@code "available"}), or {@code upTo}. */
  static long amount(JsonObject body) {
    Object amount = body.getValue("amount");
    boolean upTo = body.containsKey("upTo");
    if (amount != null && upTo) {
      throw RequestBodies.invalid("upTo", "replaces amount: send one of them");
    }
    if (upTo) {
      return RequestBodies.integer(body, "upTo", 0);
    }
    if ("available".equals(amount)) {
      return ALL_AVAILABLE;
    }
    if (amount == null) {
      throw RequestBodies.invalid("amount", "is required (or upTo)");
    }
    return RequestBodies.integer(body, "amount", 0);
  }

  /** The terms {@code body} asks for (none: {@link Terms#NONE}). */
  Terms of(JsonObject body) {
    boolean balancing = body.containsKey("upTo") || "available".equals(body.getValue("amount"));
    return new Terms(
        balancing, effectiveAt(body), versions(body), conditions(body.getJsonArray("require")));
  }

  private OffsetDateTime effectiveAt(JsonObject body) {
    String text = body.getString("effectiveAt");
    if (text == null) {
      return null;
    }
    OffsetDateTime at;
    try {
      at = QueryTimes.parse("effectiveAt", text);
    } catch (ProblemException e) {
      throw RequestBodies.invalid("effectiveAt", "must be an RFC 3339 time");
    }
    OffsetDateTime now = OffsetDateTime.now();
    if (at.isAfter(now)) {
      throw RequestBodies.invalid("effectiveAt", "is in the future: a move cannot be post-dated");
    }
    if (at.isBefore(now.minus(window))) {
      throw RequestBodies.invalid(
          "effectiveAt", "is further back than this service allows (" + window.toDays() + " days)");
    }
    return at;
  }

  private static Map<UUID, Long> versions(JsonObject body) {
    JsonObject json = body.getJsonObject("ifAccountVersion");
    if (json == null) {
      return Map.of();
    }
    Map<UUID, Long> versions = new LinkedHashMap<>();
    for (String account : json.fieldNames()) {
      UUID id = RequestBodies.uuidOrNull(account);
      if (id == null) {
        throw RequestBodies.invalid("ifAccountVersion", "is keyed by account ids");
      }
      versions.put(id, RequestBodies.integer(json, account, 0));
    }
    return versions;
  }

  private static List<Terms.Condition> conditions(JsonArray json) {
    if (json == null) {
      return List.of();
    }
    List<Terms.Condition> conditions = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      JsonObject c = json.getJsonObject(i);
      String field = "require[" + i + "]";
      Terms.Measure measure = Terms.Measure.of(c.getString("measure"));
      boolean gte = c.containsKey("gte");
      if (gte == c.containsKey("lte")) {
        throw RequestBodies.invalid(field, "takes one of gte and lte");
      }
      conditions.add(
          new Terms.Condition(
              RequestBodies.uuid(c, "accountId"),
              measure,
              gte ? Terms.Comparison.GTE : Terms.Comparison.LTE,
              RequestBodies.integer(c, gte ? "gte" : "lte", 0)));
    }
    return conditions;
  }
}
