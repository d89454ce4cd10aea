package dev.coffer.api.http;

import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.NoServerAvailableException;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Answers every failure, and every request no route took, with problem+json: never a stack trace,
 * never HTML. Anything it does not recognise is a bug: logged, and answered 500 without details.
 */
public final class ProblemResponder implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(ProblemResponder.class.getName());

  private final Function<String, String> allowedMethods;

  /** {@code allowedMethods} gives the Allow header for a path that exists, or null. */
  public ProblemResponder(Function<String, String> allowedMethods) {
    this.allowedMethods = allowedMethods;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) {
      // The client went away (or the connection guard refused its framing): no one to answer.
      LOG.fine(
          () -> "connection closed during " + ctx.request().method() + " " + ctx.request().path());
      return;
    }
    Problem problem = problemFor(ctx.failure(), ctx.statusCode());
    if (problem.status() >= 500 && problem.status() != 503) {
      logFailure(ctx, problem);
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Too late for a problem body: end what was started so the client is not left hanging.
      if (!response.ended()) {
        response.reset();
      }
      return;
    }
    if (problem.status() == 405) {
      String allow = allowedMethods.apply(ctx.request().path());
      if (allow != null) {
        response.putHeader("Allow", allow);
      }
    }
    if (problem.status() == 503 && response.headers().get("Retry-After") == null) {
      response.putHeader("Retry-After", "1");
    }
    if (problem.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    JsonResponses.send(response, problem);
  }

  // One structured line an operator can act on: which request (its id, as the client and the
  // request log know it), which route, and the exception with its stack trace.
  private static void logFailure(RoutingContext ctx, Problem problem) {
    RequestState state = RequestState.of(ctx);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put(
        "requestId", state != null ? state.id() : ctx.response().headers().get("X-Request-Id"));
    fields.put("method", ctx.request().method().name());
    fields.put("route", state != null ? state.route() : ctx.request().path());
    fields.put("status", problem.status());
    if (state != null && state.traceId() != null) {
      fields.put("traceId", state.traceId());
    }
    LogRecord record = new LogRecord(Level.SEVERE, "request failed");
    record.setLoggerName(LOG.getName());
    record.setParameters(new Object[] {fields});
    record.setThrown(ctx.failure());
    LOG.log(record);
  }

  // The pools' bounded wait queue is full, or a connection did not free up in time (the SQL pool
  // fails its waiter with a bare NoStackTraceThrowable "Timeout", e.g. while the primary restarts):
  // shed the request at once rather than queue it until everything times out.
  private static boolean isDatabaseSaturated(Throwable failure) {
    return failure instanceof ConnectionPoolTooBusyException
        || (failure instanceof VertxException
            && "Timeout waiting for connection".equals(failure.getMessage()))
        || (failure instanceof NoStackTraceThrowable && "Timeout".equals(failure.getMessage()));
  }

  // A dependency that did not answer in time, whatever timed it out (Future.timeout's
  // NoStackTraceTimeoutException, a probe's TimeoutException, a bare "Timeout" from a pool or
  // client): busy, not broken, so 503 and a retry, never a 500.
  private static boolean isTimeout(Throwable failure) {
    return failure instanceof TimeoutException
        || (failure instanceof VertxException
            && failure.getMessage() != null
            && failure.getMessage().startsWith("Timeout"));
  }

  // The failure itself, and each cause under it: a timeout or an outage wrapped by a layer on
  // the way up (an IllegalStateException around it, say) is still that timeout or outage.
  private static Problem outageProblem(Throwable failure) {
    for (Throwable f = failure; f != null; f = f.getCause() == f ? null : f.getCause()) {
      if (isDatabaseSaturated(f)) {
        return Problem.of("overloaded", "the database is at its limit right now; retry");
      }
      if (isTimeout(f)) {
        return Problem.of(
            "service-unavailable",
            "a dependency did not answer in time; retry (a move with the same Idempotency-Key"
                + " runs at most once)");
      }
      if (isUnreachable(f)) {
        return Problem.of("service-unavailable", "the database cannot be reached right now; retry");
      }
      if (isConnectionLost(f)) {
        return Problem.of(
            "service-unavailable",
            "the connection to the database was lost while this request ran, so whether it was"
                + " applied is unknown; a move sent again with the same Idempotency-Key replays"
                + " its answer if it was, and runs if it was not");
      }
    }
    return null;
  }

  // A connection lost while the request ran (the primary stopped or failed over): whether its
  // transaction committed is unknown to this instance. Not a bug, so not a 500: a 503 whose detail
  // says so; every move carries an Idempotency-Key, and its retry either replays the committed
  // answer or runs afresh.
  private static boolean isConnectionLost(Throwable failure) {
    // IOException: a reset or a broken pipe on a database socket (NIO throws the latter as a
    // plain IOException); the client's own connection closing never gets here (see handle).
    return failure instanceof ClosedConnectionException
        || failure instanceof IOException
        // The server is shutting down this backend (a failover manager demoting the primary).
        || (failure instanceof DatabaseException db
            && ("57P01".equals(db.getSqlState()) || "57P02".equals(db.getSqlState())))
        || (failure instanceof VertxException
            && failure.getMessage() != null
            && failure.getMessage().startsWith("Connection is not active now"));
  }

  // No connection could be made (refused, the server is starting up or shutting down before it
  // took the request, or no server is the primary during a failover), or the server refused the
  // write as read-only (a primary demoted under an open connection): nothing was applied, so 503
  // is true and a retry is safe.
  private static boolean isUnreachable(Throwable failure) {
    if (failure instanceof ConnectException || failure instanceof NoServerAvailableException) {
      return true;
    }
    return failure instanceof DatabaseException db
        && db.getSqlState() != null
        && (db.getSqlState().equals("57P03")
            || db.getSqlState().equals("25006")
            || db.getSqlState().startsWith("08"));
  }

  static Problem problemFor(Throwable failure, int status) {
    if (failure instanceof ProblemException pe) {
      return pe.problem();
    }
    if (failure instanceof LedgerException le) {
      return Problem.of(le);
    }
    if (failure instanceof ValidatorException ve) {
      return RequestValidation.problemFor(ve);
    }
    Problem outage = outageProblem(failure);
    if (outage != null) {
      return outage;
    }
    int code = failure instanceof HttpException he ? he.getStatusCode() : status;
    return switch (code) {
      case 400 -> Problem.of("invalid-parameter", "the request could not be read");
      case 401 ->
          Problem.of("unauthenticated", "send a valid session token as Authorization: Bearer");
      case 404 -> Problem.of("not-found", "no such route");
      case 405 -> Problem.of("method-not-allowed", "this route does not take that method");
      case 413 -> Problem.of("payload-too-large", "request bodies are limited to 64 KiB");
      case 415 -> Problem.of("unsupported-media-type", "send the body as application/json");
      default -> Problem.of("internal", "unexpected error");
    };
  }
}
