package dev.coffer.api.ratelimit;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.digest.Digests;
import dev.coffer.api.http.Caller;
import dev.coffer.api.http.Problem;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.ratelimit.RateLimitPolicy.Scope;
import dev.coffer.ledger.user.EmailKey;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Applies the rate-limit policies each operation of the contract names in its {@code x-rate-limit}
 * extension, as two route stages: {@link #byAddress} (policies by IP address or e-mail, and the
 * {@code anonymous} policy for requests to an authenticated operation whose token names no live
 * session, or that have none) and {@link #byUser} (policies by user, once authenticated).
 * Operations naming no policy (health, metrics) are never limited. Every response of a limited
 * operation carries {@code RateLimit-Policy} and {@code RateLimit}; a refused one is 429 {@code
 * rate-limited} with {@code Retry-After}.
 */
public final class RateLimiting implements MeterBinder {
  public static final String EXTENSION = "x-rate-limit";
  private static final String DECISIONS = "coffer.rate-limit.decisions";
  private static final String DECIDED_AHEAD = "coffer.rate-limit.decided-ahead";
  private static final List<String> OUTCOMES = List.of("allowed", "refused", "unknown");

  private final RateLimitSettings settings;
  private final SlidingWindowLimiter limiter;
  private final ClientAddresses clients;
  // Decisions by policy, then outcome: bounded by the configured policies, counted without a
  // registry lookup per request.
  private final Map<String, Map<String, LongAdder>> decisions = new LinkedHashMap<>();

  public RateLimiting(
      RateLimitSettings settings, SlidingWindowLimiter limiter, ClientAddresses clients) {
    this.settings = settings;
    this.limiter = limiter;
    this.clients = clients;
    settings
        .policies()
        .keySet()
        .forEach(
            policy -> {
              Map<String, LongAdder> byOutcome = new LinkedHashMap<>();
              for (String outcome : OUTCOMES) {
                byOutcome.put(outcome, new LongAdder());
              }
              decisions.put(policy, byOutcome);
            });
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    decisions.forEach(
        (policy, byOutcome) ->
            byOutcome.forEach(
                (outcome, count) ->
                    FunctionCounter.builder("coffer.rate.limit.decisions", count, LongAdder::sum)
                        .description("rate-limit decisions by policy and outcome")
                        .tag("policy", policy)
                        .tag("outcome", outcome)
                        .register(registry)));
  }

  /** The stage by address for {@code operation}, or null when it has none. */
  public Handler<RoutingContext> byAddress(Operation operation, boolean secured) {
    List<RateLimitPolicy> named = policies(operation, true);
    RateLimitPolicy anonymous = secured ? settings.policies().get("anonymous") : null;
    if (!settings.enabled() || (named.isEmpty() && anonymous == null)) {
      return null;
    }
    return ctx -> {
      List<RateLimitPolicy> applicable = new ArrayList<>(named);
      // Runs after the session is resolved: a made-up token is as anonymous as none.
      if (anonymous != null && Caller.userId(ctx) == null) {
        applicable.add(anonymous);
      }
      apply(ctx, applicable);
    };
  }

  /** The stage by user for {@code operation}, or null when it has none. */
  public Handler<RoutingContext> byUser(Operation operation, boolean secured) {
    List<RateLimitPolicy> named = userPolicies(operation);
    // A secured operation naming no policy still concludes an API key's own (decided ahead).
    if (!settings.enabled() || (named.isEmpty() && !secured)) {
      return null;
    }
    return ctx -> {
      List<Decision> ahead = ctx.get(DECIDED_AHEAD);
      if (ahead != null) {
        conclude(ctx, ahead);
      } else if (!named.isEmpty()) {
        apply(ctx, named);
      } else {
        ctx.next();
      }
    };
  }

  /** The policy every request with an API key counts against, or null when limits are off. */
  public RateLimitPolicy keyPolicy() {
    return settings.enabled() ? settings.policies().get("api-key") : null;
  }

  /** The policies by user that {@code operation}'s stage by user applies (none when disabled). */
  public List<RateLimitPolicy> userPolicies(Operation operation) {
    return settings.enabled() ? policies(operation, false) : List.of();
  }

  /**
   * Hands the stage by user the decisions for its policies, made already (in the same Redis call as
   * the session's renewal), in the order {@link #userPolicies} lists them.
   */
  public static void decidedAhead(RoutingContext ctx, List<Decision> decisions) {
    ctx.put(DECIDED_AHEAD, decisions);
  }

  private List<RateLimitPolicy> policies(Operation operation, boolean beforeAuthentication) {
    Object listed = operation.getExtensions().get(EXTENSION);
    List<RateLimitPolicy> policies = new ArrayList<>();
    if (listed == null) {
      return policies;
    }
    for (Object name : (Iterable<?>) listed) {
      RateLimitPolicy policy = settings.policies().get(String.valueOf(name));
      if (policy == null) {
        throw new IllegalStateException(
            operation.getOperationId() + " names an unknown rate-limit policy: " + name);
      }
      if ((policy.scope() != Scope.USER) == beforeAuthentication) {
        policies.add(policy);
      }
    }
    return policies;
  }

  private void apply(RoutingContext ctx, List<RateLimitPolicy> applicable) {
    List<Future<Decision>> decisions = new ArrayList<>();
    for (RateLimitPolicy policy : applicable) {
      String subject = subject(ctx, policy);
      if (subject != null) {
        decisions.add(
            limiter
                .decide(policy, subject)
                .recover(
                    e ->
                        settings.failClosed()
                            ? Future.failedFuture(
                                ProblemException.of(
                                    "service-unavailable", "rate limits cannot be checked; retry"))
                            : Future.succeededFuture(Decision.unknown(policy))));
      }
    }
    Future.all(decisions).onFailure(ctx::fail).onSuccess(all -> conclude(ctx, all.list()));
  }

  // Counts the decisions made, answers the limits' headers, and refuses or lets through.
  private void conclude(RoutingContext ctx, List<Decision> made) {
    List<Decision> seen = ctx.get(DECISIONS, new ArrayList<>());
    made.forEach(this::count);
    seen.addAll(made);
    ctx.put(DECISIONS, seen);
    writeHeaders(ctx, seen);
    long retryAfter =
        seen.stream().filter(d -> !d.allowed()).mapToLong(Decision::retryAfter).max().orElse(0);
    if (retryAfter > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
      ctx.fail(
          new ProblemException(
              Problem.of(
                  "rate-limited",
                  "too many requests ("
                      + seen.stream()
                          .filter(d -> !d.allowed())
                          .map(d -> d.policy().name())
                          .collect(Collectors.joining(", "))
                      + "); retry in "
                      + retryAfter
                      + " s")));
      return;
    }
    ctx.next();
  }

  private void count(Decision decision) {
    decisions
        .get(decision.policy().name())
        .get(!decision.known() ? "unknown" : decision.allowed() ? "allowed" : "refused")
        .increment();
  }

  private static void writeHeaders(RoutingContext ctx, List<Decision> decisions) {
    ctx.response()
        .putHeader(
            "RateLimit-Policy",
            decisions.stream().map(d -> d.policy().header()).collect(Collectors.joining(", ")));
    String known =
        decisions.stream()
            .filter(Decision::known)
            .map(Decision::header)
            .collect(Collectors.joining(", "));
    if (!known.isEmpty()) {
      ctx.response().putHeader("RateLimit", known);
    }
  }

  private String subject(RoutingContext ctx, RateLimitPolicy policy) {
    return switch (policy.scope()) {
      case IP -> clients.of(ctx.request());
      case USER -> {
        UUID user = Caller.userId(ctx);
        yield user == null ? null : user.toString();
      }
      case EMAIL -> email(ctx);
      // Counted by the key's authentication, never named by an operation.
      case KEY -> null;
    };
  }

  // The e-mail a log-in names, hashed: Redis keys hold no addresses. Unreadable bodies have none
  // (validation answers them next).
  private static String email(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      Object email = body == null ? null : body.getValue("email");
      if (!(email instanceof String text)) {
        return null;
      }
      // Half the digest (128 bits) is plenty for a limiter's key.
      // The key the user lookup compares, so that one user's spellings share one budget.
      return Digests.sha256Hex(EmailKey.of(text)).substring(0, 32);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
