package dev.coffer.api.http;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.ratelimit.RateLimiting;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Serves the API on one event loop; one instance is deployed per event loop. */
public final class HttpVerticle extends VerticleBase {
  private static final long PROBE_PERIOD_MS = 100;

  /** What every instance of the verticle shares. */
  public record Shared(
      CofferConfig config,
      OperationHandlers handlers,
      Handler<RoutingContext> authentication,
      RateLimiting limits,
      ClientAddresses clients,
      AtomicInteger inFlight,
      BooleanSupplier draining,
      MeterRegistry registry) {}

  private final Shared shared;
  private HttpServer server;

  public HttpVerticle(Shared shared) {
    this.shared = shared;
  }

  @Override
  public Future<?> start() {
    probeEventLoopDelay();
    return ApiContract.load(vertx)
        .map(
            contract ->
                new RequestGate(
                    ApiRouter.create(
                        vertx,
                        contract,
                        shared.handlers(),
                        shared.authentication(),
                        shared.limits()),
                    shared.inFlight(),
                    shared.config().maxInFlight(),
                    shared.clients(),
                    shared.draining(),
                    shared.registry()))
        .compose(
            gate -> {
              server =
                  vertx.createHttpServer(
                      new HttpServerOptions()
                          .setHost(shared.config().host())
                          .setPort(shared.config().httpPort())
                          .setCompressionSupported(true));
              return server.requestHandler(gate).listen();
            });
  }

  /** Stops accepting connections, lets requests in flight finish within the drain timeout. */
  @Override
  public Future<?> stop() {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(shared.config().drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  // A timer due every 100 ms that fires late measures how long this event loop was kept busy.
  private void probeEventLoopDelay() {
    Timer delay =
        Timer.builder("coffer.event.loop.delay")
            .description(
                "how late a 100 ms timer fires on an event loop: time the loop was blocked")
            .register(shared.registry());
    long[] due = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_PERIOD_MS)};
    vertx.setPeriodic(
        PROBE_PERIOD_MS,
        id -> {
          long now = System.nanoTime();
          delay.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
          due[0] = now + TimeUnit.MILLISECONDS.toNanos(PROBE_PERIOD_MS);
        });
  }
}
