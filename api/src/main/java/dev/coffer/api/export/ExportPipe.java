package dev.coffer.api.export;

import dev.coffer.ledger.journal.JournalStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/**
 * Copies a journal stream to an HTTP response with backpressure: rows are gathered into chunks of
 * about 16 KiB, and while the connection's write queue is full the cursor is paused (no row is
 * fetched) until it drains. A slow reader therefore holds the server to one chunk plus one cursor
 * page, whatever the export's size. A client that goes away ends the cursor and its transaction.
 *
 * <p>A client that stops reading would hold its replica connection (and transaction) for as long as
 * it likes: an export whose write queue has not drained for the stall timeout is cut (the
 * connection reset, so a truncated export is never mistaken for a whole one) and its connection
 * returned. Progress is the socket taking data, not the connection seeing bytes: a client that
 * trickles a byte now and then does not keep a stalled export alive. The user's byte budget is
 * spent chunk by chunk; once it is spent the cursor also waits, for the user's minute to end (that
 * wait is the server's own, so it is not counted as a stall).
 */
final class ExportPipe {
  private static final int CHUNK_BYTES = 16 * 1024;

  private final Vertx vertx;
  private final JournalStream stream;
  private final HttpServerResponse response;
  private final EntryFormat format;
  private final ExportMetrics metrics;
  private final ExportLimits.Ticket ticket;
  private final Duration stallTimeout;
  private final Promise<Void> done = Promise.promise();
  private Buffer chunk = Buffer.buffer(CHUNK_BYTES + 1024);
  private int rowsInChunk;
  private boolean finished;
  private boolean waitingForSocket;
  private boolean waitingForBudget;
  private long stallTimer = -1;

  private ExportPipe(
      Vertx vertx,
      JournalStream stream,
      HttpServerResponse response,
      EntryFormat format,
      ExportMetrics m,
      ExportLimits.Ticket ticket,
      Duration stallTimeout) {
    this.vertx = vertx;
    this.stream = stream;
    this.response = response;
    this.format = format;
    this.metrics = m;
    this.ticket = ticket;
    this.stallTimeout = stallTimeout;
  }

  /**
   * Streams every row, then ends the response; fails (response not ended) if either side fails or
   * the client stalls. Closes {@code ticket} when it ends, whichever way.
   */
  static Future<Void> run(
      Vertx vertx,
      JournalStream stream,
      HttpServerResponse response,
      EntryFormat format,
      ExportMetrics m,
      ExportLimits.Ticket ticket,
      Duration stallTimeout) {
    return new ExportPipe(vertx, stream, response, format, m, ticket, stallTimeout).start();
  }

  private Future<Void> start() {
    metrics.opened();
    response.closeHandler(v -> finish(new IllegalStateException("the client went away")));
    if (response.closed()) {
      // Gone while the export waited for its connection: nothing to stream to.
      finish(new IllegalStateException("the client went away"));
      return done.future();
    }
    format.header(chunk);
    stream.exceptionHandler(this::finish);
    stream.endHandler(
        v -> {
          if (finished) {
            return;
          }
          metrics.rows(format, rowsInChunk);
          ticket.spend(chunk.length());
          response.end(chunk).onComplete(ar -> finish(ar.failed() ? ar.cause() : null));
        });
    stream.handler(
        line -> {
          format.line(chunk, line);
          rowsInChunk++;
          if (chunk.length() >= CHUNK_BYTES) {
            flush();
          }
        });
    return done.future();
  }

  private void flush() {
    metrics.rows(format, rowsInChunk);
    long budgetWait = ticket.spend(chunk.length());
    response.write(chunk);
    chunk = Buffer.buffer(CHUNK_BYTES + 1024);
    rowsInChunk = 0;
    if (response.writeQueueFull()) {
      metrics.paused();
      waitingForSocket = true;
      stream.pause();
      stallTimer = vertx.setTimer(stallTimeout.toMillis(), id -> stalled());
      response.drainHandler(
          v -> {
            response.drainHandler(null);
            vertx.cancelTimer(stallTimer);
            waitingForSocket = false;
            resumeIfFree();
          });
    }
    if (budgetWait > 0) {
      metrics.throttled();
      waitingForBudget = true;
      stream.pause();
      vertx.setTimer(
          budgetWait,
          id -> {
            waitingForBudget = false;
            resumeIfFree();
          });
    }
  }

  private void resumeIfFree() {
    if (!finished && !waitingForSocket && !waitingForBudget) {
      stream.resume();
    }
  }

  // The client has not taken a chunk for the whole stall timeout: cut it, so that its replica
  // connection and transaction go back to those who read.
  private void stalled() {
    if (finished) {
      return;
    }
    metrics.stalled();
    finish(new IllegalStateException("the client stopped reading the export"));
    response.reset();
  }

  private void finish(Throwable failure) {
    if (finished) {
      return;
    }
    finished = true;
    vertx.cancelTimer(stallTimer);
    metrics.closed();
    ticket.close();
    stream
        .close()
        .onComplete(
            ar -> {
              if (failure == null) {
                done.complete();
              } else {
                done.fail(failure);
              }
            });
  }
}
