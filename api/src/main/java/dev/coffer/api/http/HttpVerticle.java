package dev.coffer.api.http;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.health.HealthRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** Serves HTTP on one event loop; one instance is deployed per event loop. */
public final class HttpVerticle extends VerticleBase {
  private final CofferConfig config;
  private final HealthRoutes health;

  public HttpVerticle(CofferConfig config, HealthRoutes health) {
    this.config = config;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    health.mount(router);
    HttpServer server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.httpPort())
                .setCompressionSupported(true));
    return server.requestHandler(router).listen();
  }
}
