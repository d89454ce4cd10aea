package dev.coffer.api.http;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.ratelimit.RateLimiting;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.RoutingContext;

/** Serves the API on one event loop; one instance is deployed per event loop. */
public final class HttpVerticle extends VerticleBase {
  private final CofferConfig config;
  private final OperationHandlers handlers;
  private final Handler<RoutingContext> authentication;
  private final RateLimiting limits;

  public HttpVerticle(
      CofferConfig config,
      OperationHandlers handlers,
      Handler<RoutingContext> authentication,
      RateLimiting limits) {
    this.config = config;
    this.handlers = handlers;
    this.authentication = authentication;
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    return ApiContract.load(vertx)
        .map(contract -> ApiRouter.create(vertx, contract, handlers, authentication, limits))
        .compose(
            router ->
                vertx
                    .createHttpServer(
                        new HttpServerOptions()
                            .setHost(config.host())
                            .setPort(config.httpPort())
                            .setCompressionSupported(true))
                    .requestHandler(router)
                    .listen());
  }
}
