package dev.coffer.api.webhook;

import dev.coffer.api.tracing.DeliveryTracing;
import dev.coffer.api.tracing.DeliveryTracing.Traced;
import dev.coffer.ledger.webhook.WebhookStore;
import dev.coffer.ledger.webhook.WebhookStore.Delivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers webhook events, at least once, from every instance: due deliveries are claimed ({@code
 * FOR UPDATE SKIP LOCKED}, so instances take disjoint rows) under a lease longer than an attempt
 * may take, POSTed signed, and recorded as delivered (a 2xx), retried after an exponential backoff
 * with jitter, or given up once {@code retryFor} has passed since the event. A receiver may
 * therefore see an event more than once (a lost answer, a lease that ran out): it deduplicates by
 * the event's id.
 *
 * <p>One receiver can hold up only its own deliveries: every attempt has one deadline for all of it
 * (look-up, connection, request, the answer's head and body), attempts run independently (a slow
 * one holds its own slot of {@value #MAX_IN_FLIGHT}, never a batch: the next claim comes at the
 * next poll whatever is still running), an endpoint gets one attempt at a time over every instance,
 * an endpoint that keeps failing has its circuit opened (nothing is sent to it for a while), and an
 * answer's body is read to {@value WebhookAttempt#BODY_LIMIT} bytes at most, then dropped.
 */
public final class WebhookDispatcher implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class.getName());
  // Attempts one instance runs at once; a poll claims only as many as are free.
  private static final int MAX_IN_FLIGHT = 50;
  // How often the backlog is counted: a scrape interval or so, one small query per instance.
  private static final Duration BACKLOG_PERIOD = Duration.ofSeconds(15);
  private static final List<String> OUTCOMES =
      List.of("delivered", "rejected", "timeout", "error", "gave-up");

  private final Vertx vertx;
  private final WebhookStore store;
  private final WebhookSettings settings;
  private final HttpClient client;
  private final DeliveryTracing tracing;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopped;
  // NaN until first counted: an alert compares nothing rather than a made-up zero.
  private volatile double backlog = Double.NaN;
  private volatile double oldestSeconds = Double.NaN;
  private long backlogTimer = -1;
  private long lastPurge;

  public WebhookDispatcher(Vertx vertx, WebhookStore store, WebhookSettings settings) {
    this(vertx, store, settings, DeliveryTracing.OFF);
  }

  /** As above, each attempt traced by {@code tracing} under the trace of its event's write. */
  public WebhookDispatcher(
      Vertx vertx, WebhookStore store, WebhookSettings settings, DeliveryTracing tracing) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.tracing = tracing;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) settings.timeout().toMillis())
                .setKeepAlive(false)
                // Each attempt's span and traceparent are made here (DeliveryTracing), from the
                // event's write, not by Vert.x from whatever context a poll runs on.
                .setTracingPolicy(TracingPolicy.IGNORE),
            new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
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
    Gauge.builder("coffer.webhook.backlog", () -> backlog)
        .description("deliveries neither delivered nor given up, over every endpoint")
        .register(registry);
    Gauge.builder("coffer.webhook.oldest.undelivered", () -> oldestSeconds)
        .description("age of the oldest undelivered event (0: none)")
        .baseUnit("seconds")
        .register(registry);
  }

  /** Starts claiming and delivering. */
  public void start() {
    schedule(settings.pollPeriod());
    countBacklog();
    backlogTimer = vertx.setPeriodic(BACKLOG_PERIOD.toMillis(), id -> countBacklog());
  }

  private void countBacklog() {
    store
        .backlog()
        .onSuccess(
            b -> {
              backlog = b.pending();
              oldestSeconds = b.oldestSeconds();
            })
        .onFailure(e -> LOG.log(Level.FINE, "counting the webhook backlog failed", e));
  }

  /** Stops: a batch under way finishes, its unfinished claims are retried after their lease. */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(backlogTimer);
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
                    // Every free slot filled means more may be due: claim again at once (up to the
                    // slots that are free by then).
                    boolean full = ar.succeeded() && ar.result() > 0;
                    schedule(full ? Duration.ofMillis(1) : settings.pollPeriod());
                  });
        });
  }

  // Claims as many due deliveries as there are free slots and starts each on its own: answers how
  // many were claimed once they are started, not once they end.
  private Future<Integer> runOnce() {
    purgeNowAndThen();
    int free = MAX_IN_FLIGHT - inFlight.get();
    if (free <= 0) {
      return Future.succeededFuture(0);
    }
    // The lease covers an attempt's whole deadline, with room to record its outcome.
    Duration lease = settings.timeout().plusSeconds(5);
    return store
        .claim(free, lease)
        .map(
            claimed -> {
              for (Delivery d : claimed) {
                inFlight.incrementAndGet();
                attempt(d)
                    .onComplete(
                        ar -> {
                          inFlight.decrementAndGet();
                          if (ar.failed()) {
                            LOG.log(
                                Level.WARNING, "recording a webhook attempt failed", ar.cause());
                          }
                        });
              }
              return claimed.size() == free ? claimed.size() : 0;
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
    WebhookStore.Circuit circuit =
        new WebhookStore.Circuit(settings.circuitFailures(), settings.circuitOpen());
    Traced traced =
        tracing.webhook(
            d.traceparent(),
            d.eventId().toString(),
            d.event().type(),
            d.attempt(),
            d.endpointId().toString(),
            d.url());
    return WebhookAttempt.run(vertx, client, settings, d, body, traced.traceparent())
        .transform(
            ar -> {
              traced.end(ar.succeeded() ? ar.result() : 0, ar.failed() ? ar.cause() : null);
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
                              || String.valueOf(ar.cause().getMessage()).contains("deadline")
                          ? "timeout"
                          : "error");
              Duration delay = backoff(d.attempt());
              OffsetDateTime giveUpAt = d.event().createdAt().plus(settings.retryFor());
              if (OffsetDateTime.now().plus(delay).isAfter(giveUpAt)) {
                count("gave-up");
                return store.giveUp(d, truncate(error), circuit);
              }
              return store.retry(d, delay, truncate(error), circuit);
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
