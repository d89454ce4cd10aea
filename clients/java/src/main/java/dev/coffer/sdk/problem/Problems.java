package dev.coffer.sdk.problem;

import dev.coffer.sdk.model.Problem;
import java.util.Map;
import java.util.function.BiFunction;

/** The exception for a problem answer: a subclass named after its code, or the general one. */
public final class Problems {
  private static final Map<String, BiFunction<Integer, Problem, CofferProblemException>> BY_CODE =
      Map.ofEntries(
          Map.entry(ValidationException.CODE, ValidationException::new),
          Map.entry(UnauthenticatedException.CODE, UnauthenticatedException::new),
          Map.entry(InvalidCredentialsException.CODE, InvalidCredentialsException::new),
          Map.entry(InsufficientScopeException.CODE, InsufficientScopeException::new),
          Map.entry(NotFoundException.CODE, NotFoundException::new),
          Map.entry(EmailTakenException.CODE, EmailTakenException::new),
          Map.entry(InsufficientFundsException.CODE, InsufficientFundsException::new),
          Map.entry(CurrencyMismatchException.CODE, CurrencyMismatchException::new),
          Map.entry(TransferNotPendingException.CODE, TransferNotPendingException::new),
          Map.entry(TransferNotReversibleException.CODE, TransferNotReversibleException::new),
          Map.entry(IdempotencyKeyReusedException.CODE, IdempotencyKeyReusedException::new),
          Map.entry(RateLimitedException.CODE, RateLimitedException::new),
          Map.entry(ServiceUnavailableException.CODE, ServiceUnavailableException::new));

  private Problems() {}

  public static CofferProblemException from(int status, Problem problem) {
    var typed = problem.getCode() == null ? null : BY_CODE.get(problem.getCode());
    return typed == null
        ? new CofferProblemException(status, problem)
        : typed.apply(status, problem);
  }
}
