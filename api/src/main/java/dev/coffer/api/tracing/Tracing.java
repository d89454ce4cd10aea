package dev.coffer.api.tracing;

import dev.coffer.ledger.db.WriteTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The instance's OpenTelemetry: an SDK configured by the {@code OTEL_*} variables and exporting
 * spans over OTLP when tracing is on; nothing at all when it is off (no tracer is given to Vert.x,
 * so no span is ever made and no header read).
 */
public final class Tracing {
  private static final Tracing OFF = new Tracing(null);
  // The instrumentation scope of the spans Coffer makes itself (Vert.x names its own).
  static final String SCOPE = "dev.coffer";
  private static volatile boolean anyOn;

  private final OpenTelemetrySdk sdk;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  /**
   * Registers Vert.x's OpenTelemetry context local now: Vert.x sizes a context's locals when it is
   * created, so this must run before the first Vert.x of the process (tests start several).
   */
  public static void prepare() {
    new OpenTelemetryTracingFactory(OpenTelemetry.noop());
  }

  /**
   * Names the current server span after the operation's route template ({@code POST
   * /v1/transfers}), as the semantic conventions ask, instead of the bare method Vert.x gives it.
   */
  public static void nameServerSpan(String method, String route) {
    if (!anyOn) {
      return;
    }
    Span span = Span.current();
    if (span.isRecording()) {
      span.updateName(method + " " + route);
      span.setAttribute("http.route", route);
    }
  }

  /** Tracing as {@code settings} ask, its spans naming {@code instanceId} as their instance. */
  public static Tracing start(TracingSettings settings, String instanceId) {
    if (!settings.enabled()) {
      return OFF;
    }
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            // Defaults, under the OTEL_* variables: only traces are exported (metrics have
            // /metrics, logs stdout), every trace kept unless OTEL_TRACES_SAMPLER_ARG says less.
            .addPropertiesSupplier(
                () ->
                    Map.of(
                        "otel.service.name", "coffer",
                        // OTLP/HTTP: the JDK's client sends it; gRPC would need OkHttp.
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none",
                        "otel.traces.sampler", "parentbased_traceidratio",
                        "otel.traces.sampler.arg", "1.0"))
            // The configuration's own copy of the variables wins (tests start instances with
            // environments of their own).
            .addPropertiesCustomizer(config -> settings.properties())
            .addResourceCustomizer(
                (resource, config) ->
                    resource.merge(
                        Resource.create(
                            Attributes.of(
                                AttributeKey.stringKey("service.instance.id"), instanceId))))
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    anyOn = true;
    return new Tracing(sdk);
  }

  public boolean enabled() {
    return sdk != null;
  }

  public OpenTelemetry openTelemetry() {
    return sdk == null ? OpenTelemetry.noop() : sdk;
  }

  /** How the ledger's writes are traced: {@link WriteTracing#NONE} when tracing is off. */
  public WriteTracing writeTracing() {
    return sdk == null ? WriteTracing.NONE : new LedgerTracing(sdk.getTracer(SCOPE));
  }

  /** Spans of webhook and stream deliveries: {@link DeliveryTracing#OFF} when tracing is off. */
  public DeliveryTracing deliveryTracing() {
    return sdk == null ? DeliveryTracing.OFF : new DeliveryTracing(sdk.getTracer(SCOPE));
  }

  /** What Vert.x traces with, or null when tracing is off. */
  public VertxTracerFactory vertxTracer() {
    return sdk == null ? null : SampledOnlyTracer.factory(sdk);
  }

  /**
   * The trace id of the span current on this thread's Vert.x context, or null (tracing off in every
   * instance of this process, or no span).
   */
  public static String currentTraceId() {
    if (!anyOn) {
      return null;
    }
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? span.getTraceId() : null;
  }

  /** Exports what is left and stops. */
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
