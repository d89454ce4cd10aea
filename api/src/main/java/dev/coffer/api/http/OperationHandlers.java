package dev.coffer.api.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The handler of each operation of the contract, by {@code operationId}. */
public final class OperationHandlers {
  private final Map<String, Handler<RoutingContext>> byOperationId = new LinkedHashMap<>();

  /**
   * Handles {@code operationId} with {@code handler}, whose failed future (or thrown exception)
   * becomes the problem response.
   */
  public OperationHandlers on(String operationId, Function<RoutingContext, Future<?>> handler) {
    return raw(
        operationId,
        ctx -> {
          Future<?> done;
          try {
            done = handler.apply(ctx);
          } catch (RuntimeException e) {
            done = Future.failedFuture(e);
          }
          done.onFailure(
              e -> {
                if (!ctx.response().ended()) {
                  ctx.fail(e);
                }
              });
        });
  }

  /** Handles {@code operationId} with a plain Vert.x Web handler. */
  public OperationHandlers raw(String operationId, Handler<RoutingContext> handler) {
    if (byOperationId.putIfAbsent(operationId, handler) != null) {
      throw new IllegalStateException("two handlers for operation " + operationId);
    }
    return this;
  }

  /** A copy that more handlers can be added to. */
  public OperationHandlers copy() {
    OperationHandlers copy = new OperationHandlers();
    copy.byOperationId.putAll(byOperationId);
    return copy;
  }

  public Map<String, Handler<RoutingContext>> byOperationId() {
    return byOperationId;
  }
}
