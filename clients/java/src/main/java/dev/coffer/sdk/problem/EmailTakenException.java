package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;

/** {@code email-taken}: The e-mail address already has a user (409). */
public final class EmailTakenException extends CofferProblemException {
  public static final String CODE = "email-taken";

  public EmailTakenException(int status, Problem problem) {
    super(status, problem);
  }
}
