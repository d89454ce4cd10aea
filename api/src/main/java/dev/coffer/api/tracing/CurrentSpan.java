package dev.coffer.api.tracing;

import io.opentelemetry.api.trace.Span;
import io.prometheus.metrics.tracer.common.SpanContext;

/**
 * The span current where a histogram records, for Prometheus exemplars: a latency bucket then names
 * a trace that fell in it (shown in the OpenMetrics exposition), and Grafana links the latency
 * panels to that trace.
 */
public final class CurrentSpan implements SpanContext {
  @Override
  public String getCurrentTraceId() {
    io.opentelemetry.api.trace.SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? span.getTraceId() : null;
  }

  @Override
  public String getCurrentSpanId() {
    io.opentelemetry.api.trace.SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? span.getSpanId() : null;
  }

  @Override
  public boolean isCurrentSpanSampled() {
    return Span.current().getSpanContext().isSampled();
  }

  @Override
  public void markCurrentSpanAsExemplar() {}
}
