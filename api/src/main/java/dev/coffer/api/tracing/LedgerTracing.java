package dev.coffer.api.tracing;

import dev.coffer.ledger.db.WriteTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The ledger's writes traced with OpenTelemetry ({@link WriteTracing}, which keeps the ledger free
 * of any tracing library): a write's events keep the traceparent of the sampled request that made
 * it, and a group commit is one span, {@code group commit}, linked to each traced member's request
 * span and parented by the first of them (so that it is kept exactly when a member is, and sits in
 * that member's trace), with the group's PostgreSQL spans under it.
 */
final class LedgerTracing implements WriteTracing {
  private final Tracer tracer;

  LedgerTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public String traceparent() {
    return TraceContexts.currentSampled();
  }

  @Override
  public <T> Future<T> group(List<String> members, Supplier<Future<T>> run) {
    List<SpanContext> traced = new ArrayList<>(members.size());
    for (String member : members) {
      SpanContext span = TraceContexts.parse(member);
      if (span != null) {
        traced.add(span);
      }
    }
    ContextInternal caller = ContextInternal.current();
    // No member traced (tracing on, none sampled): no span, as for any unsampled request.
    if (traced.isEmpty() || caller == null) {
      return run.get();
    }
    SpanBuilder builder =
        tracer
            .spanBuilder("group commit")
            .setSpanKind(SpanKind.INTERNAL)
            .setParent(io.opentelemetry.context.Context.root().with(Span.wrap(traced.get(0))))
            .setAttribute("coffer.group_commit.moves", (long) members.size());
    for (SpanContext member : traced) {
      builder.addLink(member);
    }
    Span span = builder.startSpan();
    // The group's statements are sent from a context of its own where the group's span is the
    // current one, so that the SQL client traces them under it (and not under the request that
    // happened to start the group); the answer comes back on the caller's context.
    ContextInternal own = caller.duplicate();
    Promise<T> done = caller.promise();
    own.runOnContext(
        v -> {
          io.opentelemetry.context.Context.root().with(span).makeCurrent();
          Future<T> ran;
          try {
            ran = run.get();
          } catch (RuntimeException e) {
            ran = Future.failedFuture(e);
          }
          ran.onComplete(
              ar -> {
                if (ar.failed()) {
                  span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause().getMessage()));
                }
                span.end();
                done.handle(ar);
              });
        });
    return done.future();
  }
}
