package dev.coffer.api.tracing;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.context.storage.ContextLocal;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.tracing.opentelemetry.Operation;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Vert.x's OpenTelemetry tracer, doing nothing for what will not be exported. Vert.x's tracer
 * builds every span's attributes (URL, statement text, peer address, as strings) before the sampler
 * is asked, and again when the span ends, and makes a client span for every PostgreSQL statement
 * and Redis command under any server span, sampled or not, formatting a traceparent for each: at 10
 * % sampling, nine requests in ten paid all of that for spans that were dropped. Here
 *
 * <ul>
 *   <li>a server span is still made for every request (the sampler decides, and an unsampled
 *       request keeps its trace id for its log lines and a 5xx body), but its attributes, the
 *       request's and the answer's, are built only if it is recorded;
 *   <li>a client span (PostgreSQL, Redis, HTTP) is made only under a sampled span: under an
 *       unsampled one nothing at all is done.
 * </ul>
 *
 * A trace that is exported is exactly what it was: the sampled spans and all their children.
 */
final class SampledOnlyTracer implements VertxTracer<Operation, Operation> {
  // Where vertx-opentelemetry keeps the current OpenTelemetry context on a Vert.x context; read
  // directly (one field, found once) rather than through the context storage for each call.
  private static final ContextLocal<io.opentelemetry.context.Context> ACTIVE = activeContextLocal();

  private final VertxTracer<Operation, Operation> delegate;

  private SampledOnlyTracer(VertxTracer<Operation, Operation> delegate) {
    this.delegate = delegate;
  }

  /** Vert.x's tracer factory for {@code sdk}, its tracers wrapped. */
  static OpenTelemetryTracingFactory factory(io.opentelemetry.api.OpenTelemetry sdk) {
    return new OpenTelemetryTracingFactory(sdk) {
      @Override
      @SuppressWarnings("unchecked")
      public VertxTracer<?, ?> tracer(io.vertx.core.tracing.TracingOptions options) {
        return new SampledOnlyTracer((VertxTracer<Operation, Operation>) super.tracer(options));
      }
    };
  }

  @Override
  public <R> Operation receiveRequest(
      Context context,
      SpanKind kind,
      TracingPolicy policy,
      R request,
      String operation,
      Iterable<Map.Entry<String, String>> headers,
      TagExtractor<R> tags) {
    // The sampler (parent-based, trace-id ratio) needs no attribute: start without them, and
    // build them only for a span that is recorded.
    Operation op =
        delegate.receiveRequest(
            context, kind, policy, request, operation, headers, TagExtractor.empty());
    if (op != null && op.span().isRecording()) {
      Span span = op.span();
      for (int i = 0, n = tags.len(request); i < n; i++) {
        span.setAttribute(tags.name(request, i), tags.value(request, i));
      }
    }
    return op;
  }

  @Override
  public <R> void sendResponse(
      Context context, R response, Operation payload, Throwable failure, TagExtractor<R> tags) {
    if (payload == null) {
      return;
    }
    // Without the answer, the span is ended and its scope closed, and no attribute is built.
    delegate.sendResponse(
        context, payload.span().isRecording() ? response : null, payload, failure, tags);
  }

  @Override
  public <R> Operation sendRequest(
      Context context,
      SpanKind kind,
      TracingPolicy policy,
      R request,
      String operation,
      BiConsumer<String, String> headers,
      TagExtractor<R> tags) {
    if (policy != TracingPolicy.ALWAYS && !underSampledSpan(context)) {
      return null;
    }
    return delegate.sendRequest(context, kind, policy, request, operation, headers, tags);
  }

  @Override
  public <R> void receiveResponse(
      Context context, R response, Operation payload, Throwable failure, TagExtractor<R> tags) {
    if (payload != null) {
      delegate.receiveResponse(context, response, payload, failure, tags);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }

  private static boolean underSampledSpan(Context context) {
    io.opentelemetry.context.Context active =
        ACTIVE != null && context instanceof ContextInternal internal
            ? internal.getLocal(ACTIVE)
            : io.opentelemetry.context.Context.current();
    if (active == null) {
      return false;
    }
    Span span = Span.fromContextOrNull(active);
    return span != null && span.getSpanContext().isSampled();
  }

  @SuppressWarnings("unchecked")
  private static ContextLocal<io.opentelemetry.context.Context> activeContextLocal() {
    try {
      Field field = OpenTelemetryTracingFactory.class.getDeclaredField("ACTIVE_CONTEXT");
      field.setAccessible(true);
      return (ContextLocal<io.opentelemetry.context.Context>) field.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // then the context storage is asked, as OpenTelemetry's own code would
    }
  }
}
