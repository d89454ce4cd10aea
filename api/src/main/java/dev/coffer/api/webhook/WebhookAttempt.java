package dev.coffer.api.webhook;

import dev.coffer.ledger.webhook.WebhookStore.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.TimeoutException;

/**
 * One delivery attempt: the POST, with one deadline for all of it. A per-read timeout would be
 * reset by every byte, so a receiver answering a byte every few seconds could hold an attempt for
 * ever; this deadline is not. The answer's status is the outcome; of its body at most {@link
 * #BODY_LIMIT} bytes are read (until its end, the limit or the deadline), then the connection is
 * closed.
 */
final class WebhookAttempt {
  static final int BODY_LIMIT = 4096;

  private final Vertx vertx;
  private final HttpClient client;
  private final WebhookSettings settings;
  private final Promise<Integer> outcome = Promise.promise();
  private HttpClientRequest request;
  private int status;
  private long bodyBytes;

  private WebhookAttempt(Vertx vertx, HttpClient client, WebhookSettings settings) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
  }

  /** The answer's status, or a failure (no answer in time, refused, address not allowed). */
  static Future<Integer> run(
      Vertx vertx,
      HttpClient client,
      WebhookSettings settings,
      Delivery d,
      Buffer body,
      String traceparent) {
    return new WebhookAttempt(vertx, client, settings).start(d, body, traceparent);
  }

  private Future<Integer> start(Delivery d, Buffer body, String traceparent) {
    long deadline = vertx.setTimer(settings.timeout().toMillis(), id -> deadlinePassed());
    send(d, body, traceparent).onFailure(outcome::tryFail);
    return outcome.future().onComplete(ar -> vertx.cancelTimer(deadline));
  }

  private void deadlinePassed() {
    if (status != 0) {
      // The head came in time: its status is the answer; the rest of the body is not waited for.
      outcome.tryComplete(status);
    } else {
      outcome.tryFail(
          new TimeoutException(
              "no answer within the deadline of " + settings.timeout().toMillis() + " ms"));
    }
    close();
  }

  // Resolved here, and connected to the address checked (not resolved again by the client), so
  // that a name cannot point to a public address at the check and an internal one at the call.
  private Future<Void> send(Delivery d, Buffer body, String traceparent) {
    URI uri = URI.create(d.url());
    boolean https = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
    return vertx
        .executeBlocking(() -> InetAddress.getAllByName(uri.getHost()), false)
        .compose(
            addresses -> {
              InetAddress target = null;
              for (InetAddress a : addresses) {
                if (!settings.allowPrivateAddresses() && WebhookUrls.isInternal(a)) {
                  return Future.failedFuture(
                      new IllegalStateException("address not allowed: " + a.getHostAddress()));
                }
                target = target == null ? a : target;
              }
              long now = System.currentTimeMillis() / 1000;
              RequestOptions options =
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setAbsoluteURI(d.url())
                      .setServer(SocketAddress.inetSocketAddress(port, target.getHostAddress()))
                      .setFollowRedirects(false)
                      .setConnectTimeout(settings.timeout().toMillis())
                      .putHeader("Content-Type", "application/json")
                      .putHeader("User-Agent", "Coffer-Webhooks/1")
                      .putHeader("Coffer-Event-Id", d.event().id().toString())
                      .putHeader("Coffer-Event-Type", d.event().type())
                      .putHeader(
                          WebhookSigner.HEADER,
                          WebhookSigner.header(d.secret(), now, body.getBytes()));
              if (traceparent != null) {
                options.putHeader("traceparent", traceparent);
              }
              return client.request(options);
            })
        .compose(
            sent -> {
              request = sent;
              if (outcome.future().isComplete()) {
                close(); // the deadline passed while connecting
                return Future.succeededFuture();
              }
              return sent.send(body).map(this::answered);
            });
  }

  private Void answered(HttpClientResponse response) {
    status = response.statusCode();
    response.exceptionHandler(e -> finish());
    response.endHandler(v -> finish());
    response.handler(
        chunk -> {
          bodyBytes += chunk.length();
          if (bodyBytes > BODY_LIMIT) {
            finish();
          }
        });
    return null;
  }

  private void finish() {
    outcome.tryComplete(status);
    close();
  }

  // The connection is never reused (keep-alive is off): closing it is how a body is dropped.
  private void close() {
    if (request != null) {
      request.connection().close();
    }
  }
}
