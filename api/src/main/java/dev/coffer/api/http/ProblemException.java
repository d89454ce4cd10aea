package dev.coffer.api.http;

/** Fails a request with a given problem: a handler's way to answer 4xx/503 from a future. */
public final class ProblemException extends RuntimeException {
  private final Problem problem;

  public ProblemException(Problem problem) {
    super(problem.code() + ": " + problem.detail(), null, false, false);
    this.problem = problem;
  }

  public static ProblemException of(String code, String detail) {
    return new ProblemException(Problem.of(code, detail));
  }

  public Problem problem() {
    return problem;
  }
}
