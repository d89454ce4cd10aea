package dev.coffer.api.balance;

import dev.coffer.api.http.ApiJson;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.ledger.balance.Balance;
import dev.coffer.ledger.balance.BalanceService;
import dev.coffer.ledger.balance.TimeBasis;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** An account's balance now, as of a time ({@code ?at=}), or after an entry ({@code ?seq=}). */
public final class BalanceRoutes {
  private final BalanceService balances;

  public BalanceRoutes(BalanceService balances) {
    this.balances = balances;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers.on("getAccountBalance", this::get);
  }

  private Future<?> get(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID account = RequestBodies.pathId(ctx, "id");
    ValidatedRequest request = RequestValidation.of(ctx);
    String at = text(request.getQuery().get("at"));
    RequestParameter seq = request.getQuery().get("seq");
    boolean bySeq = seq != null && !seq.isNull();
    if (at != null && bySeq) {
      throw ProblemException.of("invalid-parameter", "send at or seq, not both");
    }
    String basisText = text(request.getQuery().get("basis"));
    TimeBasis basis = basisText == null ? TimeBasis.BOOKED : TimeBasis.of(basisText);
    if (basis == null || (basisText != null && at == null)) {
      throw ProblemException.of(
          "invalid-parameter", "basis is booked or effective, and goes with at");
    }
    ConsistencyToken token = ReadConsistency.required(ctx);
    Future<Balance> balance;
    if (at != null) {
      balance = balances.at(owner, account, endOfMillisecond(at), basis, token);
    } else if (bySeq) {
      balance = balances.afterSeq(owner, account, seq.getLong(), token);
    } else {
      balance = balances.now(owner, account, token);
    }
    return balance.compose(b -> JsonResponses.send(ctx, 200, json(b)));
  }

  private static String text(RequestParameter parameter) {
    return parameter == null || parameter.isNull() ? null : parameter.getString();
  }

  // Times are shown at millisecond precision, so a time read back from the API names its whole
  // millisecond: every entry booked within it counts.
  static OffsetDateTime endOfMillisecond(String text) {
    OffsetDateTime at = QueryTimes.parse("at", text);
    if (at.toInstant().isAfter(Instant.now())) {
      throw ProblemException.of(
          "invalid-parameter", "at is in the future: its balance is not known yet");
    }
    return at.truncatedTo(ChronoUnit.MILLIS).plusNanos(999_000);
  }

  static JsonObject json(Balance b) {
    return new JsonObject()
        .put("accountId", ApiJson.id(b.accountId()))
        .put("currency", b.currency())
        .put("seq", b.seq())
        .put("balance", b.balance())
        .put("pendingDebits", b.pendingDebits())
        .put("pendingCredits", b.pendingCredits())
        .put("available", b.available())
        .put("bookedAt", ApiJson.time(b.bookedAt()));
  }
}
