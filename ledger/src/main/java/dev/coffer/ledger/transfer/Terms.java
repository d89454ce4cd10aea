package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.WireName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a move asks beyond its amount, each checked under the accounts' row locks when it is booked:
 * {@code balancing} (move what the payer has available, at most the amount), {@code effectiveAt}
 * (back-dated: when the move counts), {@code versions} (compare-and-set: each named account still
 * at the version the caller read, its count of entries) and {@code require} (conditions on the
 * balances the move leaves). Every account named must be one of the move's and the caller's.
 */
public record Terms(
    boolean balancing,
    OffsetDateTime effectiveAt,
    Map<UUID, Long> versions,
    List<Condition> require) {
  public static final Terms NONE = new Terms(false, null, Map.of(), List.of());
  public static final int MAX_CONDITIONS = 10;

  // Microseconds, UTC: the database's precision, parsed there as timestamptz.
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  /** Which figure of an account a condition reads. */
  public enum Measure {
    /** {@code balance - pendingDebits + overdraftLimit}. */
    AVAILABLE,
    /** The posted balance. */
    BALANCE;

    public String wire() {
      return WireName.of(this);
    }

    public static Measure of(String wire) {
      return WireName.parse(Measure.class, wire);
    }
  }

  /** How a condition compares. */
  public enum Comparison {
    GTE,
    LTE;

    public String wire() {
      return WireName.of(this);
    }

    public static Comparison of(String wire) {
      return WireName.parse(Comparison.class, wire);
    }
  }

  /** {@code measure} of {@code account}, after the move, {@code op} {@code value}. */
  public record Condition(UUID account, Measure measure, Comparison op, long value) {}

  public Terms {
    versions = versions == null ? Map.of() : Map.copyOf(versions);
    require = require == null ? List.of() : List.copyOf(require);
    if (require.size() > MAX_CONDITIONS) {
      throw invalid("require holds at most " + MAX_CONDITIONS + " conditions");
    }
  }

  /** Whether nothing beyond the amount is asked. */
  public boolean isNone() {
    return !balancing && effectiveAt == null && versions.isEmpty() && require.isEmpty();
  }

  /** These terms, back-dated to {@code at}. */
  public Terms effectiveAt(OffsetDateTime at) {
    return new Terms(balancing, at, versions, require);
  }

  /** Refuses terms that name an account other than {@code accounts}. */
  public void checkNames(Collection<UUID> accounts) {
    for (UUID account : versions.keySet()) {
      if (!accounts.contains(account)) {
        throw invalid("ifAccountVersion names an account the move does not touch: " + account);
      }
    }
    for (int i = 0; i < require.size(); i++) {
      if (!accounts.contains(require.get(i).account())) {
        throw invalid("require[" + i + "] names an account the move does not touch");
      }
    }
  }

  /** The terms as the booking functions read them; null when there are none. */
  public JsonObject json() {
    if (isNone()) {
      return null;
    }
    JsonObject json = new JsonObject();
    if (balancing) {
      json.put("balancing", true);
    }
    if (effectiveAt != null) {
      json.put("effectiveAt", TIME.format(effectiveAt.withOffsetSameInstant(ZoneOffset.UTC)));
    }
    if (!versions.isEmpty()) {
      JsonObject v = new JsonObject();
      versions.forEach((account, version) -> v.put(account.toString(), version));
      json.put("versions", v);
    }
    if (!require.isEmpty()) {
      JsonArray conditions = new JsonArray();
      for (Condition c : require) {
        conditions.add(
            new JsonObject()
                .put("account", c.account().toString())
                .put("measure", c.measure().wire())
                .put("op", c.op().wire())
                .put("value", c.value()));
      }
      json.put("require", conditions);
    }
    return json;
  }

  private static LedgerException invalid(String message) {
    return new LedgerException(LedgerError.VALIDATION, message);
  }
}
