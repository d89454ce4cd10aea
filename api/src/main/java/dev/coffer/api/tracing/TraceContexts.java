package dev.coffer.api.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/**
 * W3C {@code traceparent} strings, the form in which a trace context travels where no OpenTelemetry
 * object can: into an event row (and from it to a webhook delivery), into a stream fan-out message.
 */
public final class TraceContexts {
  private TraceContexts() {}

  /** The current span's traceparent if it is sampled (its trace is exported); null otherwise. */
  public static String currentSampled() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() && span.isSampled() ? format(span) : null;
  }

  public static String format(SpanContext span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  /**
   * The remote span context {@code traceparent} names, or null when it is not a version-00 W3C
   * traceparent with valid ids.
   */
  public static SpanContext parse(String traceparent) {
    if (traceparent == null
        || traceparent.length() != 55
        || !traceparent.startsWith("00-")
        || traceparent.charAt(35) != '-'
        || traceparent.charAt(52) != '-') {
      return null;
    }
    String traceId = traceparent.substring(3, 35);
    String spanId = traceparent.substring(36, 52);
    String flags = traceparent.substring(53, 55);
    if (!isHex(flags)) {
      return null;
    }
    SpanContext span =
        SpanContext.createFromRemoteParent(
            traceId, spanId, TraceFlags.fromHex(flags, 0), TraceState.getDefault());
    return span.isValid() ? span : null;
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
