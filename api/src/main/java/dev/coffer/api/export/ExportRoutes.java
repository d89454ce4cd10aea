package dev.coffer.api.export;

import dev.coffer.api.http.HeadRequests;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReplicaUnavailableException;
import dev.coffer.ledger.journal.JournalReader;
import dev.coffer.ledger.journal.JournalStream;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.util.UUID;

/** {@code GET /v1/accounts/{id}/entries.csv} and {@code .ndjson}: whole journals, streamed. */
public final class ExportRoutes {
  private final JournalReader reader;
  private final ExportMetrics metrics;
  private final ExportSettings settings;
  private final ExportLimits limits;

  public ExportRoutes(JournalReader reader, ExportMetrics metrics, ExportSettings settings) {
    this.reader = reader;
    this.metrics = metrics;
    this.settings = settings;
    this.limits = new ExportLimits(settings);
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("exportEntriesCsv", ctx -> export(ctx, EntryFormat.CSV))
        .on("exportEntriesNdjson", ctx -> export(ctx, EntryFormat.NDJSON));
  }

  private Future<?> export(RoutingContext ctx, EntryFormat format) {
    UUID account = RequestBodies.pathId(ctx, "id");
    QueryTimes.Range range = QueryTimes.range(text(ctx, "from"), text(ctx, "to"));
    UUID user = SessionAuthentication.of(ctx).userId();
    ConsistencyToken token = ReadConsistency.required(ctx);
    // From here on every way out closes the ticket: a leaked one would count against the user
    // for ever.
    ExportLimits.Ticket ticket;
    try {
      ticket = limits.open(user);
    } catch (ExportLimits.Refused refused) {
      metrics.refused();
      ctx.response().putHeader("Retry-After", Long.toString(refused.retryAfterSeconds));
      throw ProblemException.of("rate-limited", refused.getMessage());
    }
    return reader
        .open(user, account, range.from(), range.to(), token)
        .recover(ExportRoutes::replicaOnly)
        .compose(
            stream -> {
              HttpServerResponse response =
                  ctx.response()
                      .setStatusCode(200)
                      .setChunked(true)
                      .putHeader(HttpHeaders.CONTENT_TYPE, format.contentType())
                      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                      .putHeader(
                          "Content-Disposition",
                          "attachment; filename=\"entries-"
                              + account
                              + "."
                              + format.extension()
                              + "\"");
              // A HEAD arrives routed as GET: it gets the head, and no row is read for it.
              if (HeadRequests.is(ctx)) {
                ticket.close();
                return stream.close().compose(v -> response.end());
              }
              return ExportPipe.run(
                  ctx.vertx(), stream, response, format, metrics, ticket, settings.stallTimeout());
            })
        .onFailure(e -> ticket.close());
  }

  // Exports are never moved to the primary (see JournalReader.open): when the replica cannot serve
  // one, the client is told to come back.
  private static Future<JournalStream> replicaOnly(Throwable failure) {
    if (failure instanceof ReplicaUnavailableException) {
      return Future.failedFuture(
          ProblemException.of(
              "service-unavailable",
              "exports are read from the replica only, and it cannot serve one right now ("
                  + failure.getMessage()
                  + "); retry"));
    }
    return Future.failedFuture(failure);
  }

  private static String text(RoutingContext ctx, String name) {
    RequestParameter value = RequestValidation.of(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value.getString();
  }
}
