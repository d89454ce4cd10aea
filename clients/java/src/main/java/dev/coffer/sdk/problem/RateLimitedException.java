package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code rate-limited}: Too many requests, still after the retries (429). */
public final class RateLimitedException extends CofferProblemException {
  public static final String CODE = "rate-limited";

  public RateLimitedException(int status, Problem problem) {
    super(status, problem);
  }
}
