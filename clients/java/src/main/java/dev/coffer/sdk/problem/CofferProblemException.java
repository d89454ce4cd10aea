package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/**
 * An answer of the service that is a problem (RFC 9457): {@link #code()} is its stable code, and
 * the subclasses name the codes a program handles most ({@link Problems#from} picks one).
 */
public class CofferProblemException extends RuntimeException {
  private final int status;
  private final Problem problem;

  public CofferProblemException(int status, Problem problem) {
    super(
        status
            + " "
            + problem.getCode()
            + (problem.getDetail() == null ? "" : ": " + problem.getDetail()));
    this.status = status;
    this.problem = problem;
  }

  public int status() {
    return status;
  }

  /** The problem's kebab-case code, e.g. {@code insufficient-funds}. */
  public String code() {
    return problem.getCode();
  }

  /** The whole problem: detail, reason, requiredScope, errors. */
  public Problem problem() {
    return problem;
  }
}
