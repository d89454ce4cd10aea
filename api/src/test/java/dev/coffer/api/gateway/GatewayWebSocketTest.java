package dev.coffer.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebSocket upgrade of /v1/stream through either gateway. Coffer has no stream yet, so the
 * gateway's upstream here is a small WebSocket echo server on the real gateway configuration: it
 * shows the upgrade, the sub-protocol that carries the token, and the forwarded headers get
 * through. The stream itself across a rolling restart is to be tested once it exists.
 */
class GatewayWebSocketTest {
  private static final String TOKEN_PROTOCOL = "bearer.test-token";
  private static final String CLIENT = "127.0.9.9";

  private Vertx vertx;
  private HttpServer upstream;
  private final CompletableFuture<MultiMap> upgradeHeaders = new CompletableFuture<>();

  @BeforeEach
  void startUpstream() throws Exception {
    vertx = Vertx.vertx();
    upstream =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost("127.0.0.1")
                    .setWebSocketSubProtocols(List.of(TOKEN_PROTOCOL)))
            .webSocketHandler(
                ws -> {
                  upgradeHeaders.complete(MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()));
                  ws.textMessageHandler(ws::writeTextMessage);
                })
            // Health for HAProxy's checks; anything else shows what an upstream got as headers.
            .requestHandler(
                request ->
                    request
                        .response()
                        .end(
                            request.path().startsWith("/health/")
                                ? "{}"
                                : "upgrade=" + request.getHeader("Upgrade")))
            .listen(0)
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopUpstream() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nginx", "haproxy"})
  void theStreamUpgradesThroughTheGateway(String kind) throws Exception {
    try (Gateway gateway =
        Gateway.start(
            kind, List.<String[]>of(new String[] {"stub", "127.0.0.1:" + upstream.actualPort()}))) {
      WebSocketClient client =
          vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(CLIENT));
      WebSocket ws =
          client
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(gateway.port())
                      .setURI("/v1/stream")
                      .addSubProtocol(TOKEN_PROTOCOL))
              .await(10, TimeUnit.SECONDS);
      assertThat(ws.subProtocol()).isEqualTo(TOKEN_PROTOCOL);
      Promise<String> echoed = Promise.promise();
      ws.textMessageHandler(echoed::tryComplete);
      ws.writeTextMessage("{\"op\":\"subscribe\"}");
      assertThat(echoed.future().await(10, TimeUnit.SECONDS)).isEqualTo("{\"op\":\"subscribe\"}");
      ws.close().await(10, TimeUnit.SECONDS);

      MultiMap headers = upgradeHeaders.get(10, TimeUnit.SECONDS);
      assertThat(headers.get("X-Forwarded-For")).endsWith(CLIENT);
      assertThat(headers.get("X-Request-Id")).isNotBlank();
      assertThat(headers.get("Sec-WebSocket-Protocol")).isEqualTo(TOKEN_PROTOCOL);
    }
  }

  /**
   * A client's offer to upgrade an ordinary request (h2c) is answered, and not passed on as an
   * upgrade (Coffer's HTTP/1.1 server answered such a proxied upgrade with 400 and left the gateway
   * waiting). HAProxy may take the offer itself and answer in HTTP/2; nginx answers 1.1.
   */
  @ParameterizedTest
  @ValueSource(strings = {"nginx", "haproxy"})
  void anOrdinaryRequestOfferingH2cIsAnsweredWithoutPassingTheUpgradeOn(String kind)
      throws Exception {
    try (Gateway gateway =
        Gateway.start(
            kind, List.<String[]>of(new String[] {"stub", "127.0.0.1:" + upstream.actualPort()}))) {
      // Java's client offers h2c (Upgrade: h2c) on every request by default.
      HttpResponse<String> reply =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_2)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gateway.port() + "/v1/accounts"))
                      .timeout(java.time.Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("upgrade=null");
    }
  }
}
