package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/**
 * {@code validation}: The body or a parameter broke the contract (422); {@code
 * problem().getErrors()} says where.
 */
public final class ValidationException extends CofferProblemException {
  public static final String CODE = "validation";

  public ValidationException(int status, Problem problem) {
    super(status, problem);
  }
}
