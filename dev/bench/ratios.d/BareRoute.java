// The HTTP layer's ceiling for dev/bench/ratios: a Vert.x 5 server with one route that answers
// a fixed account-shaped JSON body, on as many event loops as Coffer runs. Launched as a
// single-file program against Coffer's jar (for Vert.x): java -cp coffer-api.jar BareRoute.java
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

public class BareRoute {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int loops = Integer.parseInt(args.length > 1 ? args[1] : "2");
    Buffer body =
        Buffer.buffer(
            "{\"id\":\"01a20855-763a-7d6e-9479-43d445acd87b\",\"name\":null,\"currency\":\"EUR\","
                + "\"balance\":1000000,\"pendingDebits\":0,\"pendingCredits\":0,"
                + "\"available\":1000000,\"overdraftLimit\":0,"
                + "\"createdAt\":\"2026-11-23T12:16:08.123456Z\"}");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    vertx
        .deployVerticle(
            () ->
                new io.vertx.core.VerticleBase() {
                  @Override
                  public io.vertx.core.Future<?> start() {
                    Router router = Router.router(vertx);
                    router
                        .get("/v1/accounts/:id")
                        .handler(
                            ctx ->
                                ctx.response()
                                    .putHeader("Content-Type", "application/json")
                                    .end(body));
                    return vertx
                        .createHttpServer(new HttpServerOptions().setPort(port))
                        .requestHandler(router)
                        .listen();
                  }
                },
            new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("bare route listening on " + port))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }
}
