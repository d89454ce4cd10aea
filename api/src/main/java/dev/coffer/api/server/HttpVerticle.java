package dev.coffer.api.server;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.config.HttpSettings;
import dev.coffer.api.http.ApiContract;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.Problem;
import dev.coffer.api.http.RouteStage;
import dev.coffer.api.stream.StreamServer;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.logging.Logger;

/** Serves the API on one event loop; one instance is deployed per event loop. */
final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());

  /** What every instance of the verticle shares. */
  record Shared(
      HttpSettings settings,
      OperationHandlers handlers,
      List<RouteStage> stages,
      InFlightRequests inFlight,
      OpenConnections connections,
      ClientAddresses clients,
      BooleanSupplier draining,
      EventLoopDelayProbe delayProbe,
      Function<Vertx, StreamServer> streams) {}

  private final Shared shared;
  private HttpServer server;
  private StreamServer streams;

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
              HttpSettings settings = shared.settings();
              server =
                  vertx.createHttpServer(
                      new HttpServerOptions()
                          .setHost(settings.host())
                          .setPort(settings.port())
                          .setCompressionSupported(true)
                          .setHttp2ClearTextEnabled(settings.h2c())
                          // Echoes the one sub-protocol a stream client offers, bearer.<token>.
                          .setWebSocketSubProtocols(List.of("*"))
                          // Frames and messages (fragments reassembled) alike: 64 KiB.
                          .setMaxWebSocketFrameSize(StreamServer.MAX_MESSAGE_BYTES)
                          .setMaxWebSocketMessageSize(StreamServer.MAX_MESSAGE_BYTES)
                          .setIdleTimeout((int) settings.idleTimeout().toMillis())
                          .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
              streams = shared.streams().apply(vertx);
              return server
                  .connectionHandler(this::guard)
                  .webSocketHandshakeHandler(streams)
                  .invalidRequestHandler(HttpVerticle::answerUnreadable)
                  .exceptionHandler(HttpVerticle::connectionFailed)
                  .requestHandler(gate)
                  .listen();
            });
  }

  // Past the cap a connection is closed before it is read; below it, HTTP/1.x connections get the
  // guard that refuses unsafe framing and slow heads and bodies.
  private void guard(HttpConnection connection) {
    if (!shared.connections().tryOpen()) {
      connection.close();
      return;
    }
    // Vert.x offers no public hook into a connection's Netty pipeline.
    if (!(connection instanceof ConnectionBase base)) {
      connection.closeHandler(v -> shared.connections().closed());
      return;
    }
    // The channel, not the HTTP connection: a WebSocket upgrade replaces the connection, whose
    // close handler then never runs, and each stream would keep its place for ever.
    base.channelHandlerContext()
        .channel()
        .closeFuture()
        .addListener(f -> shared.connections().closed());
    ConnectionGuard.install(
        base.channelHandlerContext().pipeline(),
        shared.settings().headerTimeout(),
        shared.settings().bodyTimeout());
  }

  // A request whose head Netty could not decode: Vert.x closes the connection after the answer.
  private static void answerUnreadable(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem =
        cause instanceof TooLongHttpLineException
            ? Problem.of(
                "uri-too-long",
                "the request line is longer than "
                    + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
                    + " bytes")
            : cause instanceof TooLongHttpHeaderException
                ? Problem.of(
                    "headers-too-large",
                    "the request headers are longer than "
                        + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
                        + " bytes")
                : Problem.of("malformed-request", "the request head could not be read");
    request.response().putHeader("Connection", "close");
    JsonResponses.send(request.response(), problem);
  }

  // Broken connections (resets, undecodable input after an answer) are the client's doing, not
  // the service's: kept out of the error log.
  private static void connectionFailed(Throwable failure) {
    LOG.fine(() -> "connection failed: " + failure);
  }

  /** Stops accepting connections, lets requests in flight finish within the drain timeout. */
  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // Streams never end by themselves: closed now (1001), their clients reconnect elsewhere.
    return streams
        .closeAll()
        .compose(
            v ->
                server.shutdown(
                    shared.settings().drainTimeout().toMillis(), TimeUnit.MILLISECONDS));
  }
}
