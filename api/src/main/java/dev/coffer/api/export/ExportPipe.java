package dev.coffer.api.export;

import dev.coffer.ledger.journal.JournalStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Copies a journal stream to an HTTP response with backpressure: rows are gathered into chunks of
 * about 16 KiB, and while the connection's write queue is full the cursor is paused (no row is
 * fetched) until it drains. A slow reader therefore holds the server to one chunk plus one cursor
 * page, whatever the export's size. A client that goes away ends the cursor and its transaction.
 */
final class ExportPipe {
  private static final int CHUNK_BYTES = 16 * 1024;

  private final JournalStream stream;
  private final HttpServerResponse response;
  private final EntryFormat format;
  private final ExportMetrics metrics;
  private final Promise<Void> done = Promise.promise();
  private Buffer chunk = Buffer.buffer(CHUNK_BYTES + 1024);
  private int rowsInChunk;
  private boolean finished;

  private ExportPipe(
      JournalStream stream, HttpServerResponse response, EntryFormat format, ExportMetrics m) {
    this.stream = stream;
    this.response = response;
    this.format = format;
    this.metrics = m;
  }

  /** Streams every row, then ends the response; fails (response not ended) if either side fails. */
  static Future<Void> run(
      JournalStream stream, HttpServerResponse response, EntryFormat format, ExportMetrics m) {
    return new ExportPipe(stream, response, format, m).start();
  }

  private Future<Void> start() {
    metrics.opened();
    response.closeHandler(v -> finish(new IllegalStateException("the client went away")));
    format.header(chunk);
    stream.exceptionHandler(this::finish);
    stream.endHandler(
        v -> {
          if (finished) {
            return;
          }
          metrics.rows(format, rowsInChunk);
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
    response.write(chunk);
    chunk = Buffer.buffer(CHUNK_BYTES + 1024);
    rowsInChunk = 0;
    if (response.writeQueueFull()) {
      metrics.paused();
      stream.pause();
      response.drainHandler(
          v -> {
            response.drainHandler(null);
            if (!finished) {
              stream.resume();
            }
          });
    }
  }

  private void finish(Throwable failure) {
    if (finished) {
      return;
    }
    finished = true;
    metrics.closed();
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
