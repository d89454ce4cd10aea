package dev.coffer.api.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Under an unsampled span no client span is made and no header written (nothing of it would be
 * exported); under a sampled one the client span is made and exported as before.
 */
class SampledOnlyTracerTest {
  private final List<SpanData> exported = new CopyOnWriteArrayList<>();

  @Test
  @SuppressWarnings("unchecked")
  void aClientSpanOnlyUnderASampledSpan() throws Exception {
    Tracing.prepare();
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                    .addSpanProcessor(SimpleSpanProcessor.create(new Collect()))
                    .build())
            .build();
    var factory = SampledOnlyTracer.factory(sdk);
    VertxTracer<Object, Object> tracer =
        (VertxTracer<Object, Object>) factory.tracer(factory.newOptions());
    Vertx vertx = Vertx.vertx();
    try {
      ContextInternal base = (ContextInternal) vertx.getOrCreateContext();
      for (boolean sampled : new boolean[] {false, true}) {
        ContextInternal context = base.duplicate();
        Map<String, String> headers = new java.util.concurrent.ConcurrentHashMap<>();
        CompletableFuture<Object> made = new CompletableFuture<>();
        context.runOnContext(
            v -> {
              SpanContext parent =
                  SpanContext.create(
                      "0af7651916cd43dd8448eb211c80319c",
                      sampled ? "b7ad6b7169203331" : "c7ad6b7169203331",
                      sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                      TraceState.getDefault());
              // Left current on this request's own context, as Vert.x's server span is.
              io.opentelemetry.context.Context.root().with(Span.wrap(parent)).makeCurrent();
              Object op =
                  tracer.sendRequest(
                      context,
                      SpanKind.RPC,
                      TracingPolicy.PROPAGATE,
                      "SELECT 1",
                      "Query",
                      headers::put,
                      TagExtractor.empty());
              tracer.receiveResponse(context, "done", op, null, TagExtractor.empty());
              made.complete(op == null ? "none" : op);
            });
        Object operation = made.get(10, TimeUnit.SECONDS);
        if (sampled) {
          assertThat(operation).isNotEqualTo("none");
          assertThat(headers).containsKey("traceparent");
          assertThat(exported).hasSize(1);
          assertThat(exported.get(0).getParentSpanId()).isEqualTo("b7ad6b7169203331");
        } else {
          assertThat(operation).isEqualTo("none");
          assertThat(headers).isEmpty();
          assertThat(exported).isEmpty();
        }
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      sdk.close();
    }
  }

  private final class Collect implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exported.addAll(spans);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
