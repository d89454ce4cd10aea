package dev.coffer.api.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.RawHttp;
import dev.coffer.api.testing.RawHttp.Exchange;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What reaches the service below HTTP semantics: framing a request smuggler would use, heads and
 * bodies sent slowly or never, idle and surplus connections, heads Netty cannot read. Each is
 * answered with a problem (or refused) and never served as a second request.
 */
class WireProtocolTest {
  private static final int SILENCE_MS = 5000;
  private static ApiInstance instance;
  private static int port;

  @BeforeAll
  static void start() {
    instance =
        ApiInstance.start(
            Map.of(
                "COFFER_HTTP_HEADER_TIMEOUT_MS", "300",
                "COFFER_HTTP_BODY_TIMEOUT_MS", "300",
                "COFFER_HTTP_IDLE_TIMEOUT_MS", "2000",
                "COFFER_HTTP_MAX_CONNECTIONS", "8"));
    port = instance.port();
  }

  @AfterAll
  static void stop() {
    instance.close();
  }

  private static Exchange send(String request) {
    return RawHttp.exchange(port, request, SILENCE_MS);
  }

  private static void assertProblem(Exchange exchange, int status, String code) {
    assertThat(exchange.status()).as(exchange.text()).isEqualTo(status);
    assertThat(exchange.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(new JsonObject(exchange.body()).getString("code")).isEqualTo(code);
  }

  @Test
  void anUnknownTransferEncodingIs400AndTheRequestHiddenInItsBodyIsNeverServed() {
    String hidden = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
    for (String coding : new String[] {"xchunked", "identity", "chunked, identity", "gzip"}) {
      Exchange exchange =
          send(
              "POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + "Transfer-Encoding: "
                  + coding
                  + "\r\n\r\n"
                  + hidden);
      assertProblem(exchange, 400, "malformed-request");
      assertThat(exchange.responses()).as(coding).isEqualTo(1);
      assertThat(exchange.closed()).as(coding).isTrue();
    }
  }

  @Test
  void withTransferEncodingAndContentLengthTheChunksFrameTheBody() {
    // Netty drops the Content-Length (RFC 9112 6.3): the empty chunked body ends the request, and
    // what follows is the connection's next request, not bytes of this one's body.
    Exchange exchange =
        send(
            "POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Length: 42\r\n\r\n0\r\n\r\n"
                + "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(exchange.status()).isEqualTo(400);
    assertThat(exchange.text()).contains("malformed-json").contains("{\"status\":\"UP\",");
    assertThat(exchange.responses()).isEqualTo(2);
  }

  @Test
  void aMalformedChunkSizeIs400AndCloses() {
    Exchange exchange =
        send(
            "POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nQQ\r\n\r\n");
    assertProblem(exchange, 400, "malformed-request");
    assertThat(exchange.closed()).isTrue();
  }

  @Test
  void aWellFramedChunkedBodyIsStillServed() {
    String body = "{\"email\":\"not-an-address\",\"password\":\"12345678\"}";
    Exchange exchange =
        send(
            "POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(body.length())
                + "\r\n"
                + body
                + "\r\n0\r\n\r\n");
    assertProblem(exchange, 422, "validation");
  }

  @Test
  void aHeadThatNeverEndsIs408() {
    Exchange exchange = send("GET /health/live HTTP/1.1\r\nHost: x\r\n");
    assertProblem(exchange, 408, "request-timeout");
    assertThat(exchange.closed()).isTrue();
  }

  @Test
  void aBodyThatNeverEndsIs408() {
    Exchange exchange =
        send(
            "POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"email\"");
    assertProblem(exchange, 408, "request-timeout");
    assertThat(exchange.closed()).isTrue();
  }

  @Test
  void anIdleConnectionIsClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(SILENCE_MS);
      Exchange exchange = RawHttp.readAll(socket, socket.getInputStream());
      assertThat(exchange.closed()).isTrue();
      assertThat(exchange.text()).isEmpty();
    }
  }

  @Test
  void connectionsPastTheCapAreRefused() throws IOException {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        held.add(new Socket("127.0.0.1", port));
      }
      int answered = 0;
      int refused = 0;
      // Keep-alive requests: an answered connection stays open, so the count never drops.
      byte[] request = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();
      for (Socket socket : held) {
        socket.setSoTimeout(SILENCE_MS);
        if (answers(socket, request)) {
          answered++;
        } else {
          refused++;
        }
      }
      // The cap is 8 (connections of earlier tests may not all be counted out yet).
      assertThat(answered).isBetween(1, 8);
      assertThat(refused).isGreaterThanOrEqualTo(4);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  // Whether the server answers {@code request} on {@code socket} (else it closed the connection).
  private static boolean answers(Socket socket, byte[] request) {
    try {
      socket.getOutputStream().write(request);
      StringBuilder seen = new StringBuilder();
      int b;
      while ((b = socket.getInputStream().read()) >= 0) {
        seen.append((char) b);
        // Liveness' body: {"status":"UP","version":...,"commit":...}, the last byte its '}'.
        if (b == '}' && seen.indexOf("{\"status\":\"UP\",") >= 0) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void headsNettyCannotReadAreProblems() {
    assertProblem(
        send("GET /he alth/live HTTP/1.1 x\r\nHost: x\r\n\r\n"), 400, "malformed-request");
    assertProblem(
        send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri-too-long");
    assertProblem(
        send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: " + "a".repeat(9000) + "\r\n\r\n"),
        431,
        "headers-too-large");
  }

  @Test
  void cleartextHttp2IsOffByDefault() {
    // The HTTP/2 preface is not a request this instance speaks: it must not switch protocols.
    Exchange exchange = send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    // An HTTP/1.x parser's answer, not an HTTP/2 SETTINGS frame.
    assertThat(exchange.text()).startsWith("HTTP/");
    Exchange upgrade =
        send(
            "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
    assertThat(upgrade.status()).isEqualTo(200);
  }

  @Test
  void cleartextHttp2IsServedWhenAskedFor() {
    try (ApiInstance h2c = ApiInstance.start(Map.of("COFFER_HTTP_H2C", "true"))) {
      Exchange upgrade =
          RawHttp.exchange(
              h2c.port(),
              "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                  + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
              2000);
      assertThat(upgrade.status()).isEqualTo(101);
    }
  }
}
