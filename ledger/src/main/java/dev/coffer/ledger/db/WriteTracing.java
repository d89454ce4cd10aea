package dev.coffer.ledger.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the ledger asks of whoever traces its callers (the API, with OpenTelemetry). The ledger
 * knows no tracing library: only opaque W3C trace contexts ({@code traceparent} strings) to keep
 * with the events a write produces (changeset 040), and a way to run one group commit under a span
 * of its own. {@link #NONE} when tracing is off: nothing is asked, nothing is sent.
 */
public interface WriteTracing {
  WriteTracing NONE =
      new WriteTracing() {
        @Override
        public String traceparent() {
          return null;
        }

        @Override
        public <T> Future<T> group(List<String> members, Supplier<Future<T>> run) {
          return run.get();
        }
      };

  /**
   * The W3C {@code traceparent} of the caller's span if it is being traced (sampled), read on the
   * caller's thread when its write is handed to the ledger; null otherwise.
   */
  String traceparent();

  /**
   * Runs one group commit ({@code run}, its transaction or transactions) for members whose trace
   * contexts are {@code members} (null for a member not traced), under a span of its own linked to
   * each traced member's, so that its statements are traced under that span.
   */
  <T> Future<T> group(List<String> members, Supplier<Future<T>> run);

  /**
   * Leaves {@code traceparent} (null: nothing) for the events the transaction on {@code conn}
   * produces; sent, not awaited, so it goes out pipelined ahead of the write's statements.
   */
  static Future<Void> tag(SqlConnection conn, String traceparent) {
    if (!wellFormed(traceparent)) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT set_config('coffer.traceparent', $1, true)")
        .execute(Tuple.of(traceparent))
        .mapEmpty();
  }

  /**
   * As {@link #tag}, one trace context per transfer id (a group commit, where each move comes from
   * a request of its own); nothing is sent when the map is empty.
   */
  static Future<Void> tagEach(SqlConnection conn, Map<java.util.UUID, String> byTransfer) {
    if (byTransfer.isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder json = new StringBuilder("{");
    byTransfer.forEach(
        (id, traceparent) -> {
          if (!wellFormed(traceparent)) {
            return;
          }
          if (json.length() > 1) {
            json.append(',');
          }
          // Both are hex digits and dashes only: nothing to escape.
          json.append('"').append(id).append("\":\"").append(traceparent).append('"');
        });
    json.append('}');
    if (json.length() == 2) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT set_config('coffer.traceparents', $1, true)")
        .execute(Tuple.of(json.toString()))
        .mapEmpty();
  }

  // version-traceid-parentid-flags: 55 characters, hex digits and dashes (W3C Trace Context).
  private static boolean wellFormed(String traceparent) {
    if (traceparent == null || traceparent.length() != 55) {
      return false;
    }
    for (int i = 0; i < traceparent.length(); i++) {
      char c = traceparent.charAt(i);
      if (!(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
