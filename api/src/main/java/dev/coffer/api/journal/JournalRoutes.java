package dev.coffer.api.journal;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.ledger.journal.JournalVerification;
import dev.coffer.ledger.journal.JournalVerifier;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/accounts/{id}/verify}: the account's hash chain, recomputed. */
public final class JournalRoutes {
  private final JournalVerifier verifier;

  public JournalRoutes(JournalVerifier verifier) {
    this.verifier = verifier;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers.on("verifyJournal", this::verify);
  }

  private Future<?> verify(RoutingContext ctx) {
    return verifier
        .verify(
            SessionAuthentication.of(ctx).userId(),
            RequestBodies.pathId(ctx, "id"),
            ReadConsistency.required(ctx))
        .compose(result -> JsonResponses.send(ctx, 200, json(result)));
  }

  static JsonObject json(JournalVerification v) {
    JournalVerification.Break b = v.firstBreak();
    return new JsonObject()
        .put("accountId", v.accountId().toString())
        .put("ok", v.holds())
        .put("entries", v.entries())
        .put("lastSeq", v.lastSeq())
        .put("lastHash", v.lastHash())
        .put(
            "firstBreak",
            b == null
                ? null
                : new JsonObject()
                    .put("seq", b.seq())
                    .put("reason", b.reason())
                    .put("expectedHash", b.expectedHash())
                    .put("storedHash", b.storedHash()));
  }
}
