package dev.coffer.api.statement;

import dev.coffer.api.account.AccountJson;
import dev.coffer.api.export.EntryFormat;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.entry.Entry;
import dev.coffer.ledger.statement.Statement;
import dev.coffer.ledger.statement.StatementLine;
import dev.coffer.ledger.statement.StatementService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.List;

/**
 * {@code GET /v1/accounts/{id}/statement} (JSON, its entries paged) and {@code statement.csv} (the
 * whole statement, up to {@link #CSV_MAX_ENTRIES} entries). Neither holds anything that changes
 * once the range is in the past, so the same range answers the same bytes later.
 */
public final class StatementRoutes {
  /** What one CSV statement holds at most; past it, the JSON pages or the journal export. */
  public static final int CSV_MAX_ENTRIES = 10_000;

  private static final String CSV_HEADER =
      "seq,createdAt,transferId,kind,status,amount,balanceChange,balanceAfter,"
          + "counterpartyAccountId,description,effectiveAt\r\n";

  private final StatementService statements;

  public StatementRoutes(StatementService statements) {
    this.statements = statements;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers.on("getStatement", this::json).on("getStatementCsv", this::csv);
  }

  private Future<Statement> statement(RoutingContext ctx, ValidatedRequest request) {
    QueryTimes.Range range = QueryTimes.range(text(request, "from"), text(request, "to"));
    return statements.statement(
        SessionAuthentication.of(ctx).userId(),
        RequestBodies.pathId(ctx, "id"),
        range.from(),
        range.to(),
        ReadConsistency.required(ctx));
  }

  private Future<?> json(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    Long after = Pages.after(request, "statement", Long::valueOf);
    ConsistencyToken token = ReadConsistency.required(ctx);
    return statement(ctx, request)
        .compose(
            statement ->
                statements
                    .lines(statement, after, limit + 1, token)
                    .compose(
                        lines -> {
                          JsonObject page =
                              Pages.page(
                                  lines,
                                  limit,
                                  "statement",
                                  StatementRoutes::line,
                                  l -> Long.toString(l.entry().seq()));
                          JsonObject body = summary(statement);
                          body.put("data", page.getJsonArray("data"));
                          body.put("nextCursor", page.getString("nextCursor"));
                          return JsonResponses.send(ctx, 200, body);
                        }));
  }

  private Future<?> csv(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    ConsistencyToken token = ReadConsistency.required(ctx);
    return statement(ctx, request)
        .compose(
            statement -> {
              if (statement.entryCount() > CSV_MAX_ENTRIES) {
                throw ProblemException.of(
                    "invalid-parameter",
                    "a CSV statement holds at most "
                        + CSV_MAX_ENTRIES
                        + " entries; this range has "
                        + statement.entryCount()
                        + ": take a shorter range, the JSON pages, or entries.csv");
              }
              return statements
                  .lines(statement, null, CSV_MAX_ENTRIES, token)
                  .compose(
                      lines -> {
                        ctx.response()
                            .putHeader("Content-Type", "text/csv; charset=utf-8")
                            .putHeader("Statement-Digest", statement.digest())
                            .putHeader(
                                "Statement-Opening-Balance",
                                Long.toString(statement.openingBalance()))
                            .putHeader(
                                "Statement-Closing-Balance",
                                Long.toString(statement.closingBalance()))
                            .putHeader("Statement-Closing-Hash", statement.closingHash());
                        return ctx.response().end(csvBody(lines));
                      });
            });
  }

  static Buffer csvBody(List<StatementLine> lines) {
    StringBuilder out = new StringBuilder(CSV_HEADER);
    for (StatementLine line : lines) {
      Entry e = line.entry();
      out.append(e.seq())
          .append(',')
          .append(Statement.time(e.createdAt()))
          .append(',')
          .append(e.transferId())
          .append(',')
          .append(e.kind().wire())
          .append(',')
          .append(e.status().wire())
          .append(',')
          .append(e.amount())
          .append(',')
          .append(line.balanceChange())
          .append(',')
          .append(e.balanceAfter())
          .append(',')
          .append(
              e.kind().shownCounterparty(e.counterpartyAccountId()) == null
                  ? ""
                  : e.kind().shownCounterparty(e.counterpartyAccountId()).toString())
          .append(',');
      EntryFormat.cell(out, EntryFormat.defused(e.description()));
      // Last, empty unless back-dated, so the earlier columns keep their places.
      out.append(',');
      if (e.effectiveAt() != null) {
        out.append(Statement.time(e.effectiveAt()));
      }
      out.append("\r\n");
    }
    return Buffer.buffer(out.toString());
  }

  static JsonObject summary(Statement s) {
    return new JsonObject()
        .put("accountId", s.accountId().toString())
        .put("currency", s.currency())
        .put("from", Statement.time(s.from()))
        .put("to", Statement.time(s.to()))
        .put(
            "opening",
            new JsonObject()
                .put("seq", s.openingSeq())
                .put("balance", s.openingBalance())
                .put("hash", s.openingHash()))
        .put(
            "closing",
            new JsonObject()
                .put("seq", s.closingSeq())
                .put("balance", s.closingBalance())
                .put("hash", s.closingHash()))
        .put("totalIn", s.totalIn())
        .put("totalOut", s.totalOut())
        .put("entryCount", s.entryCount())
        .put("creditCount", s.creditCount())
        .put("debitCount", s.debitCount())
        .put("digest", s.digest());
  }

  private static JsonObject line(StatementLine line) {
    return AccountJson.entry(line.entry()).put("balanceChange", line.balanceChange());
  }

  private static String text(ValidatedRequest request, String name) {
    RequestParameter parameter = request.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.getString();
  }
}
