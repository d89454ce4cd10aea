package dev.coffer.gatling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Whether a Coffer instance serves the real-time stream ({@code GET /v1/stream}) yet: a handshake
 * without a token is refused by a service that has the stream (401) and not found (404) by one that
 * does not.
 */
public final class StreamProbe {
  private StreamProbe() {}

  public static boolean available(String baseUrl) {
    URI uri = URI.create(baseUrl.replaceFirst("^http", "ws") + "/v1/stream");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      WebSocket socket =
          client
              .newWebSocketBuilder()
              .buildAsync(uri, new WebSocket.Listener() {})
              .orTimeout(10, TimeUnit.SECONDS)
              .join();
      socket.abort();
      return true;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode() != 404;
      }
      throw new IllegalStateException("cannot reach " + uri + ": " + e.getCause(), e.getCause());
    }
  }

  /** The message for a run that cannot happen yet. */
  public static String missing(String baseUrl) {
    return "Coffer at "
        + baseUrl
        + " does not serve GET /v1/stream (404): Dashboards needs the real-time stream of the HTTP"
        + " contract, which this service does not have yet: not run.";
  }
}
