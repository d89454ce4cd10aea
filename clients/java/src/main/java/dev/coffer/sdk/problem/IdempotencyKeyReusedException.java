package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/**
 * {@code idempotency-key-reused}: The Idempotency-Key was used before for a different request
 * (422).
 */
public final class IdempotencyKeyReusedException extends CofferProblemException {
  public static final String CODE = "idempotency-key-reused";

  public IdempotencyKeyReusedException(int status, Problem problem) {
    super(status, problem);
  }
}
