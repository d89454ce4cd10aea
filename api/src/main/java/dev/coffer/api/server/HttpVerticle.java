package dev.coffer.api.server;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.config.HttpSettings;
import dev.coffer.api.http.ApiContract;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RouteStage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Serves the API on one event loop; one instance is deployed per event loop. */
final class HttpVerticle extends VerticleBase {

  /** What every instance of the verticle shares. */
  record Shared(
      HttpSettings settings,
      OperationHandlers handlers,
      List<RouteStage> stages,
      InFlightRequests inFlight,
      ClientAddresses clients,
      BooleanSupplier draining,
      EventLoopDelayProbe delayProbe) {}

  private final Shared shared;
  private HttpServer server;

  HttpVerticle(Shared shared) {
    this.shared = shared;
  }

  @Override
  public Future<?> start() {
    shared.delayProbe().watch(vertx);
    return ApiContract.load(vertx)
        .map(
            contract ->
                new RequestGate(
                    ApiRouter.create(vertx, contract, shared.handlers(), shared.stages()),
                    shared.inFlight(),
                    shared.clients(),
                    shared.draining()))
        .compose(
            gate -> {
              server =
                  vertx.createHttpServer(
                      new HttpServerOptions()
                          .setHost(shared.settings().host())
                          .setPort(shared.settings().port())
                          .setCompressionSupported(true));
              return server.requestHandler(gate).listen();
            });
  }

  /** Stops accepting connections, lets requests in flight finish within the drain timeout. */
  @Override
  public Future<?> stop() {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(shared.settings().drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
