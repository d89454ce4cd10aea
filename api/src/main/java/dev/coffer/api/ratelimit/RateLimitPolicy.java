package dev.coffer.api.ratelimit;

import java.time.Duration;

/** A named limit: at most {@code limit} requests per {@code window}, per subject of a scope. */
public record RateLimitPolicy(String name, Scope scope, int limit, Duration window) {

  /** Whose requests a policy counts together. */
  public enum Scope {
    /** The client's IP address (see {@code ClientAddresses}). */
    IP,
    /** The e-mail address a log-in names. */
    EMAIL,
    /** The authenticated user. */
    USER,
    /**
     * The API key a request came with (counted along with its user's policies, in the same call; a
     * request with a session counts none).
     */
    KEY
  }

  public RateLimitPolicy {
    if (limit < 1 || window.toMillis() < 1000) {
      throw new IllegalArgumentException(name + ": the limit must be ≥ 1 and the window ≥ 1 s");
    }
  }

  /** {@code "LIMIT/SECONDS"}, e.g. {@code "10/600"}. */
  public static RateLimitPolicy parse(String name, Scope scope, String text) {
    String[] parts = text.trim().split("/", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected LIMIT/SECONDS, e.g. 10/60");
    }
    return new RateLimitPolicy(
        name,
        scope,
        Integer.parseInt(parts[0].trim()),
        Duration.ofSeconds(Long.parseLong(parts[1].trim())));
  }

  /** The policy as the {@code RateLimit-Policy} header lists it. */
  public String header() {
    return "\"" + name + "\";q=" + limit + ";w=" + window.toSeconds();
  }
}
