package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/**
 * {@code service-unavailable}: A dependency of the service could not answer, still after the
 * retries (503).
 */
public final class ServiceUnavailableException extends CofferProblemException {
  public static final String CODE = "service-unavailable";

  public ServiceUnavailableException(int status, Problem problem) {
    super(status, problem);
  }
}
