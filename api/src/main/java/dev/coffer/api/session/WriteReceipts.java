package dev.coffer.api.session;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/**
 * Answers a committed write: first records its token in the session (so every later read of that
 * session, on any instance, sees it), then sends the response with {@code Consistency-Token}.
 */
public final class WriteReceipts {
  private static final Logger LOG = Logger.getLogger(WriteReceipts.class.getName());

  private final SessionStore sessions;

  public WriteReceipts(SessionStore sessions) {
    this.sessions = sessions;
  }

  /** Sends {@code body} for a write committed at {@code token}. */
  public Future<Void> send(
      RoutingContext ctx, ConsistencyToken token, int status, Buffer body, boolean replayed) {
    Session session = SessionAuthentication.of(ctx);
    Future<Void> recorded =
        session == null
            ? Future.succeededFuture()
            : sessions
                .advance(session, token)
                // The money has moved: answering an error now would invite a retry for nothing.
                // The client still gets the token, and reads that send it back are fresh.
                .recover(
                    e -> {
                      LOG.warning(
                          "could not record a write in its session (reads of this session may"
                              + " lag until the client sends Consistency-Token): "
                              + e.getMessage());
                      return Future.succeededFuture();
                    });
    return recorded.compose(
        v -> {
          ctx.response().putHeader(ReadConsistency.HEADER, token.toString());
          if (replayed) {
            ctx.response().putHeader("Idempotent-Replayed", "true");
          }
          return JsonResponses.send(ctx, status, body);
        });
  }
}
