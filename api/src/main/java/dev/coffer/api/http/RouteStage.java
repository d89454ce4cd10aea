package dev.coffer.api.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;

/**
 * One step a route runs before the contract's validation and the operation's handler (a rate limit,
 * authentication). The router takes a list of them in order and knows nothing else of them, so a
 * new kind of stage never touches the router.
 */
@FunctionalInterface
public interface RouteStage {
  /**
   * The handler this stage adds to {@code operation}'s route, or null when it has nothing to do
   * there; {@code secured} says whether the operation requires a bearer token.
   */
  Handler<RoutingContext> forOperation(Operation operation, boolean secured);
}
