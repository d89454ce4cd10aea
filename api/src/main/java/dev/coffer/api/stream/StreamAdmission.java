package dev.coffer.api.stream;

import dev.coffer.api.access.Scope;
import dev.coffer.api.ratelimit.Decision;
import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Whether a stream handshake may become a stream. A handshake is a request like any other: with a
 * live session (or API key) it counts against the user's {@code reads} limit (in the same Redis
 * call that reads the session, when the token is tagged); without one (no token, or one that names
 * no session) it counts against the {@code anonymous} limit of its address, as an HTTP request
 * would. Otherwise a socket could open and drop streams, each a session lookup and a subscription,
 * without bound.
 */
final class StreamAdmission {
  /** What a handshake is answered. */
  enum Verdict {
    ACCEPTED,
    UNAUTHENTICATED,
    /** An API key without {@code stream:read}. */
    FORBIDDEN,
    RATE_LIMITED,
    UNAVAILABLE
  }

  /** A verdict, with the session when accepted. */
  record Admission(Verdict verdict, Session session) {
    static Admission of(Verdict verdict) {
      return new Admission(verdict, null);
    }
  }

  private static final Scope STREAM_READ = new Scope(Scope.Resource.STREAM, Scope.Level.READ);

  private final SessionAuthentication authentication;
  private final SlidingWindowLimiter limiter;
  private final boolean enabled;
  private final boolean failClosed;
  private final RateLimitPolicy reads;
  private final RateLimitPolicy anonymous;

  StreamAdmission(
      SessionAuthentication authentication,
      SlidingWindowLimiter limiter,
      RateLimitSettings rateLimits) {
    this.authentication = authentication;
    this.limiter = limiter;
    this.enabled = rateLimits.enabled();
    this.failClosed = rateLimits.failClosed();
    this.reads = rateLimits.policies().get("reads");
    this.anonymous = rateLimits.policies().get("anonymous");
  }

  /** Decides on a handshake offering {@code token} (maybe null) from {@code address}. */
  Future<Admission> admit(String token, String address) {
    if (token == null) {
      return anonymously(address);
    }
    List<RateLimitPolicy> counted = enabled ? List.of(reads) : List.of();
    return authentication
        .touch(token, counted, address)
        .transform(
            ar -> {
              if (ar.failed()) {
                return Future.succeededFuture(Admission.of(Verdict.UNAVAILABLE));
              }
              Optional<SessionStore.Touch> touch = ar.result();
              if (touch.isEmpty()) {
                return anonymously(address);
              }
              Session session = touch.get().session();
              // An API key needs stream:read (a session may always open the stream); it counted
              // against its limits all the same, as an HTTP request refused for its scope does.
              if (!session.grant().allows(STREAM_READ)) {
                return Future.succeededFuture(Admission.of(Verdict.FORBIDDEN));
              }
              Future<List<Decision>> decided =
                  !enabled || !touch.get().decisions().isEmpty()
                      ? Future.succeededFuture(touch.get().decisions())
                      // A plain token's session is in another slot: the limiter counts.
                      : decide(reads, session.userId().toString()).map(List::of);
              return decided.map(
                  decisions ->
                      decisions.stream().allMatch(Decision::allowed)
                          ? new Admission(Verdict.ACCEPTED, session)
                          : Admission.of(Verdict.RATE_LIMITED));
            })
        .recover(e -> Future.succeededFuture(Admission.of(Verdict.UNAVAILABLE)));
  }

  private Future<Admission> anonymously(String address) {
    if (!enabled) {
      return Future.succeededFuture(Admission.of(Verdict.UNAUTHENTICATED));
    }
    return decide(anonymous, address)
        .map(
            decision ->
                Admission.of(decision.allowed() ? Verdict.UNAUTHENTICATED : Verdict.RATE_LIMITED))
        .recover(e -> Future.succeededFuture(Admission.of(Verdict.UNAVAILABLE)));
  }

  // As the HTTP limiter: when Redis cannot say, let through unless told to fail closed.
  private Future<Decision> decide(RateLimitPolicy policy, String subject) {
    return limiter
        .decide(policy, subject)
        .recover(
            e ->
                failClosed
                    ? Future.failedFuture(e)
                    : Future.succeededFuture(Decision.unknown(policy)));
  }
}
