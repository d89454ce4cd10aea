package dev.coffer.api.export;

import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.ledger.journal.JournalReader;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.util.UUID;

/** {@code GET /v1/accounts/{id}/entries.csv} and {@code .ndjson}: whole journals, streamed. */
public final class ExportRoutes {
  private final JournalReader reader;
  private final ExportMetrics metrics;

  public ExportRoutes(JournalReader reader, ExportMetrics metrics) {
    this.reader = reader;
    this.metrics = metrics;
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
    return reader
        .open(
            SessionAuthentication.of(ctx).userId(),
            account,
            range.from(),
            range.to(),
            ReadConsistency.required(ctx))
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
              if (ctx.request().method() == HttpMethod.HEAD) {
                return stream.close().compose(v -> response.end());
              }
              return ExportPipe.run(stream, response, format, metrics);
            });
  }

  private static String text(RoutingContext ctx, String name) {
    RequestParameter value = RequestValidation.of(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value.getString();
  }
}
