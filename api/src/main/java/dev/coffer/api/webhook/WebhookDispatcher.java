package dev.coffer.api.webhook;

import dev.coffer.ledger.webhook.WebhookStore;
import dev.coffer.ledger.webhook.WebhookStore.Delivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers webhook events, at least once, from every instance: due deliveries are claimed in
 * batches ({@code FOR UPDATE SKIP LOCKED}, so instances take disjoint rows) under a lease longer
 * than an attempt may take, POSTed signed, and recorded as delivered (a 2xx), retried after an
 * exponential backoff with jitter, or given up once {@code retryFor} has passed since the event. A
 * receiver may therefore see an event more than once (a lost answer, a lease that ran out): it
 * deduplicates by the event's id.
 */
public final class WebhookDispatcher implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class.getName());
  private static final int BATCH = 50;
  private static final List<String> OUTCOMES =
      List.of("delivered", "rejected", "timeout", "error", "gave-up");

  private final Vertx vertx;
  private final WebhookStore store;
  private final WebhookSettings settings;
  private final HttpClient client;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private long lastPurge;

  public WebhookDispatcher(Vertx vertx, WebhookStore store, WebhookSettings settings) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) settings.timeout().toMillis())
                .setKeepAlive(false),
            new PoolOptions().setHttp1MaxSize(BATCH));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String outcome : OUTCOMES) {
      outcomes.put(
          outcome,
          Counter.builder("coffer.webhook.deliveries")
              .description(
                  "Webhook delivery attempts by outcome: delivered (2xx), rejected (another"
                      + " status), timeout, error (no answer: refused, DNS, address not allowed),"
                      + " gave-up (the last attempt failed)")
              .tag("outcome", outcome)
              .register(registry));
    }
  }

  /** Starts claiming and delivering. */
  public void start() {
    schedule(settings.pollPeriod());
  }

  /** Stops: a batch under way finishes, its unfinished claims are retried after their lease. */
  public void stop() {
    stopped = true;
    client.close();
  }

  private void schedule(Duration delay) {
    vertx.setTimer(
        Math.max(1, delay.toMillis()),
        id -> {
          if (stopped) {
            return;
          }
          runOnce()
              .onComplete(
                  ar -> {
                    if (ar.failed()) {
                      LOG.log(Level.WARNING, "webhook delivery round failed", ar.cause());
                    }
                    // A full batch means more are due: take the next at once.
                    boolean full = ar.succeeded() && ar.result() == BATCH;
                    schedule(full ? Duration.ofMillis(1) : settings.pollPeriod());
                  });
        });
  }

  private Future<Integer> runOnce() {
    purgeNowAndThen();
    // The lease covers an attempt's DNS look-up, connection and answer, with room to record it.
    Duration lease = settings.timeout().multipliedBy(3).plusSeconds(5);
    return store
        .claim(BATCH, lease)
        .compose(
            claimed -> {
              List<Future<Void>> attempts = new ArrayList<>();
              claimed.forEach(d -> attempts.add(attempt(d)));
              return Future.join(attempts).map(claimed.size()).otherwise(claimed.size());
            });
  }

  private void purgeNowAndThen() {
    long now = System.currentTimeMillis();
    if (now - lastPurge > Duration.ofMinutes(10).toMillis()) {
      lastPurge = now;
      store
          .purge(settings.eventRetention())
          .onFailure(e -> LOG.log(Level.WARNING, "purging old events failed", e));
    }
  }

  private Future<Void> attempt(Delivery d) {
    Buffer body = EventJson.event(d.event()).toBuffer();
    return send(d, body)
        .transform(
            ar -> {
              if (ar.succeeded() && ar.result() / 100 == 2) {
                count("delivered");
                return store.delivered(d);
              }
              String error =
                  ar.succeeded() ? "answered " + ar.result() : String.valueOf(ar.cause());
              count(
                  ar.succeeded()
                      ? "rejected"
                      : ar.cause() instanceof java.util.concurrent.TimeoutException
                              || String.valueOf(ar.cause().getMessage()).contains("timeout")
                          ? "timeout"
                          : "error");
              Duration delay = backoff(d.attempt());
              OffsetDateTime giveUpAt = d.event().createdAt().plus(settings.retryFor());
              if (OffsetDateTime.now().plus(delay).isAfter(giveUpAt)) {
                count("gave-up");
                return store.giveUp(d, truncate(error));
              }
              return store.retry(d, delay, truncate(error));
            });
  }

  // Resolved here, and connected to the address checked (not resolved again by the client), so
  // that a name cannot point to a public address at the check and an internal one at the call.
  private Future<Integer> send(Delivery d, Buffer body) {
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
                      .setTimeout(settings.timeout().toMillis())
                      .putHeader("Content-Type", "application/json")
                      .putHeader("User-Agent", "Coffer-Webhooks/1")
                      .putHeader("Coffer-Event-Id", d.event().id().toString())
                      .putHeader("Coffer-Event-Type", d.event().type())
                      .putHeader(
                          WebhookSigner.HEADER,
                          WebhookSigner.header(d.secret(), now, body.getBytes()));
              return client
                  .request(options)
                  .compose(request -> request.send(body))
                  .compose(
                      response -> {
                        // The answer's body is not read into memory: only its status counts.
                        response.handler(chunk -> {});
                        return response.end().map(response.statusCode());
                      });
            });
  }

  private Duration backoff(int attempt) {
    long base = settings.retryBase().toMillis();
    long max = settings.retryMax().toMillis();
    long exponential = base << Math.min(attempt - 1, 30);
    long capped = exponential <= 0 || exponential > max ? max : exponential;
    // Jitter: between half and all of the delay, so that failed deliveries spread out.
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }

  private void count(String outcome) {
    Counter counter = outcomes.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  private static String truncate(String error) {
    return error.length() > 500 ? error.substring(0, 500) : error;
  }
}
