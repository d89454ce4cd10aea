package dev.coffer.api.session;

import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.ext.web.RoutingContext;

/**
 * How fresh a read must be: at least the session's latest write, and at least the write named by a
 * {@code Consistency-Token} header (from another session, say).
 */
public final class ReadConsistency {
  public static final String HEADER = "Consistency-Token";

  private ReadConsistency() {}

  /** The token a read for this request must reach. */
  public static ConsistencyToken required(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    ConsistencyToken own = session == null ? ConsistencyToken.NONE : session.lastWrite();
    return ConsistencyToken.parse(ctx.request().getHeader(HEADER)).map(own::max).orElse(own);
  }
}
