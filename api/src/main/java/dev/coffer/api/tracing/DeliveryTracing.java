package dev.coffer.api.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Spans for work that runs outside any request on behalf of a traced write: a webhook delivery
 * attempt, a stream delivery. Off ({@link #OFF}), nothing is made and no header is sent.
 */
public class DeliveryTracing {
  /** Tracing off: no span, no traceparent. */
  public static final DeliveryTracing OFF = new DeliveryTracing(null);

  private final Tracer tracer;

  DeliveryTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** One traced piece of work; {@link #NONE} when not traced. */
  public interface Traced {
    Traced NONE =
        new Traced() {
          @Override
          public String traceparent() {
            return null;
          }

          @Override
          public void end(int status, Throwable failure) {}
        };

    /** The traceparent to send on with the work (a request header), or null. */
    String traceparent();

    /** Ends the span with the HTTP status answered (0: none) or the failure. */
    void end(int status, Throwable failure);

    /** Sets a numeric attribute on the span. */
    default void set(String attribute, long value) {}
  }

  /** Whether this instance traces at all (else every method answers {@link Traced#NONE}). */
  public boolean enabled() {
    return tracer != null;
  }

  /**
   * The span of one stream delivery (the new entries of {@code account} read once and handed to
   * this instance's connections watching it), announced by the writes traced as {@code writes}:
   * linked to each of them, and parented by the first, so that it is kept exactly when a write was
   * and shows in its trace. None when no announcing write was traced (the reconcile's reads
   * included).
   */
  public Traced stream(List<String> writes, String account) {
    if (tracer == null || writes.isEmpty()) {
      return Traced.NONE;
    }
    List<SpanContext> traced = new ArrayList<>(writes.size());
    for (String write : writes) {
      SpanContext span = TraceContexts.parse(write);
      if (span != null && span.isSampled()) {
        traced.add(span);
      }
    }
    if (traced.isEmpty()) {
      return Traced.NONE;
    }
    SpanBuilder builder =
        tracer
            .spanBuilder("stream deliver")
            .setSpanKind(SpanKind.CONSUMER)
            .setParent(io.opentelemetry.context.Context.root().with(Span.wrap(traced.get(0))))
            .setAttribute("coffer.stream.account_id", account);
    for (SpanContext write : traced) {
      builder.addLink(write);
    }
    Span span = builder.startSpan();
    return new Traced() {
      @Override
      public String traceparent() {
        return TraceContexts.format(span.getSpanContext());
      }

      @Override
      public void set(String attribute, long value) {
        span.setAttribute(attribute, value);
      }

      @Override
      public void end(int status, Throwable failure) {
        if (failure != null) {
          span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
        span.end();
      }
    };
  }

  /**
   * The span of one webhook delivery attempt of an event whose write was traced as {@code
   * writeTraceparent}: a child of the write's span, so the receiver, given this span's traceparent,
   * continues the same trace. An event whose write was not traced (tracing off then, not sampled,
   * or made by no request, as an expiry) gets no span. With tracing off here but on where the event
   * was written (a fleet part-way through turning it on), the write's traceparent is passed on as
   * it is, so the receiver still joins the write's trace; no span is made.
   */
  public Traced webhook(
      String writeTraceparent,
      String eventId,
      String eventType,
      int attempt,
      String endpointId,
      String url) {
    SpanContext write = TraceContexts.parse(writeTraceparent);
    if (write == null) {
      return Traced.NONE;
    }
    if (tracer == null || !write.isSampled()) {
      String passedOn = TraceContexts.format(write);
      return new Traced() {
        @Override
        public String traceparent() {
          return passedOn;
        }

        @Override
        public void end(int status, Throwable failure) {}
      };
    }
    URI uri = URI.create(url);
    Span span =
        tracer
            // The semantic conventions' name for an HTTP client span is its method; the target is
            // in the attributes (the host only: a URL's path or query may carry a secret).
            .spanBuilder("POST webhook")
            .setSpanKind(SpanKind.CLIENT)
            .setParent(io.opentelemetry.context.Context.root().with(Span.wrap(write)))
            .setAttribute("http.request.method", "POST")
            .setAttribute("server.address", String.valueOf(uri.getHost()))
            .setAttribute("coffer.webhook.event_id", eventId)
            .setAttribute("coffer.webhook.event_type", eventType)
            .setAttribute("coffer.webhook.endpoint_id", endpointId)
            .setAttribute("coffer.webhook.attempt", (long) attempt)
            .startSpan();
    return new Traced() {
      @Override
      public String traceparent() {
        return TraceContexts.format(span.getSpanContext());
      }

      @Override
      public void end(int status, Throwable failure) {
        if (status > 0) {
          span.setAttribute("http.response.status_code", (long) status);
        }
        if (failure != null) {
          span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
          span.setAttribute("error.type", failure.getClass().getName());
        } else if (status / 100 != 2) {
          span.setStatus(StatusCode.ERROR);
          span.setAttribute("error.type", Integer.toString(status));
        }
        span.end();
      }
    };
  }
}
