package dev.coffer.api.health;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/** {@code GET /health/live} (with the build's version and commit) and {@code GET /health/ready}. */
public final class HealthRoutes {
  private final DependencyChecks checks;
  private final BooleanSupplier started;
  private final BooleanSupplier shuttingDown;

  /**
   * Readiness is 503 until {@code started} (start-up ran to its end: connections open, jobs
   * running), and again from the moment {@code shuttingDown} (a shutdown began).
   */
  public HealthRoutes(
      DependencyChecks checks, BooleanSupplier started, BooleanSupplier shuttingDown) {
    this.checks = checks;
    this.started = started;
    this.shuttingDown = shuttingDown;
  }

  /** Registers both operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .raw(
            "healthLive",
            ctx ->
                JsonResponses.send(
                    ctx,
                    200,
                    new JsonObject()
                        .put("status", "UP")
                        .put("version", BuildInfo.current().version())
                        .put("commit", BuildInfo.current().commit())))
        .raw("healthReady", this::ready);
  }

  private void ready(RoutingContext ctx) {
    checks
        .run()
        .onSuccess(
            readiness -> {
              JsonObject body = readiness.toJson();
              boolean starting = !started.getAsBoolean();
              boolean draining = shuttingDown.getAsBoolean();
              if (starting) {
                body.put("status", "DOWN").put("reason", "starting");
              } else if (draining) {
                body.put("status", "DOWN").put("reason", "shutting down");
              }
              JsonResponses.send(ctx, readiness.up() && !starting && !draining ? 200 : 503, body);
            })
        .onFailure(ctx::fail);
  }
}
