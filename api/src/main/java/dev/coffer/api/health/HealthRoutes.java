package dev.coffer.api.health;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/** {@code GET /health/live} and {@code GET /health/ready}. */
public final class HealthRoutes {
  private final DependencyChecks checks;
  private final BooleanSupplier shuttingDown;

  /** {@code shuttingDown} turns readiness to 503 from the moment a shutdown begins. */
  public HealthRoutes(DependencyChecks checks, BooleanSupplier shuttingDown) {
    this.checks = checks;
    this.shuttingDown = shuttingDown;
  }

  /** Registers both operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .raw(
            "healthLive", ctx -> JsonResponses.send(ctx, 200, new JsonObject().put("status", "UP")))
        .raw("healthReady", this::ready);
  }

  private void ready(RoutingContext ctx) {
    checks
        .run()
        .onSuccess(
            readiness -> {
              JsonObject body = readiness.toJson();
              boolean draining = shuttingDown.getAsBoolean();
              if (draining) {
                body.put("status", "DOWN").put("reason", "shutting down");
              }
              JsonResponses.send(ctx, readiness.up() && !draining ? 200 : 503, body);
            })
        .onFailure(ctx::fail);
  }
}
