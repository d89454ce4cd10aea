package dev.coffer.api.metrics;

import dev.coffer.api.http.OperationHandlers;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The instance's Prometheus registry, and a Vert.x that reports into it: HTTP server requests by
 * route template (never the raw path), method and status, as histograms; pools; JVM memory and GC.
 */
public final class CofferMetrics {
  /** Latency buckets: enough to compute a p95/p99 with {@code histogram_quantile}, and few. */
  public static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  /** The methods of RFC 9110 and PATCH; any other method name is labelled {@code other}. */
  static final Set<String> STANDARD_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String OPENMETRICS =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  private CofferMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** A registry whose timers publish {@link #LATENCY_BUCKETS}. */
  public static CofferMetrics create() {
    return create(null);
  }

  /**
   * As {@link #create()}, with exemplars taken from {@code spans} (null: none, and no cost on the
   * hot path).
   */
  public static CofferMetrics create(SpanContext spans) {
    PrometheusMeterRegistry registry =
        spans == null
            ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
            : new PrometheusMeterRegistry(
                PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM, spans);
    registry
        .config()
        // Netty accepts any token as a method name: a label taken from it would let each client
        // request add series without bound.
        .meterFilter(
            MeterFilter.replaceTagValues(
                Label.HTTP_METHOD.toString(),
                method -> STANDARD_METHODS.contains(method) ? method : "other"))
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER) {
                  return DistributionStatisticConfig.builder()
                      .serviceLevelObjectives(
                          java.util.Arrays.stream(LATENCY_BUCKETS)
                              .mapToDouble(Duration::toNanos)
                              .toArray())
                      .build()
                      .merge(config);
                }
                return config;
              }
            });
    return new CofferMetrics(registry);
  }

  /**
   * Serves {@code GET /metrics} in the Prometheus text format, or in OpenMetrics when the scraper
   * asks for it (the format that carries exemplars).
   */
  public void addTo(OperationHandlers handlers) {
    handlers.raw(
        "getMetrics",
        ctx -> {
          String accept = ctx.request().getHeader("Accept");
          String type =
              accept != null && accept.contains("application/openmetrics-text")
                  ? OPENMETRICS
                  : TEXT;
          ctx.response().putHeader("Content-Type", type).end(registry.scrape(type));
        });
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A Vert.x with {@code options} reporting into this registry, and tracing with {@code tracer}
   * (null: no tracing).
   */
  public Vertx vertx(VertxOptions options, VertxTracerFactory tracer) {
    options.setMetricsOptions(
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            // Raw client sockets say nothing the pools' metrics do not, and both of Coffer's
            // clients (Postgres, Redis) would report the same unlabelled series.
            .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
            // The route label is the matched template (/v1/accounts/:id): bounded, unlike paths.
            .setLabels(
                EnumSet.of(
                    Label.HTTP_ROUTE,
                    Label.HTTP_METHOD,
                    Label.HTTP_CODE,
                    Label.POOL_TYPE,
                    Label.POOL_NAME)));
    VertxBuilder builder =
        Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    if (tracer != null) {
      builder.withTracer(tracer);
    }
    return builder.build();
  }
}
