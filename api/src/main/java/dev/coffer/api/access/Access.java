package dev.coffer.api.access;

import dev.coffer.api.http.Problem;
import dev.coffer.api.http.ProblemException;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The grant of a request's credential, kept in its routing context by authentication, and the
 * checks handlers make with it. A request without one (nothing authenticated it) is treated as a
 * session's: the stages before a handler refuse the anonymous already.
 */
public final class Access {
  private static final String KEY = "coffer.grant";

  private Access() {}

  /** Records what {@code ctx}'s credential may do. */
  public static void grant(RoutingContext ctx, Grant grant) {
    ctx.put(KEY, grant);
  }

  /** What {@code ctx}'s credential may do. */
  public static Grant of(RoutingContext ctx) {
    Grant grant = ctx.get(KEY);
    return grant == null ? Grant.FULL : grant;
  }

  /**
   * Refuses, as for an account of someone else (404), an {@code account} the credential does not
   * reach: a key limited to some accounts learns nothing of the others, not even that they exist.
   */
  public static void requireReach(RoutingContext ctx, UUID account) {
    if (account != null && !of(ctx).reaches(account)) {
      throw notFound();
    }
  }

  /** Whether the credential reaches {@code account}. */
  public static boolean reaches(RoutingContext ctx, UUID account) {
    return of(ctx).reaches(account);
  }

  /** The answer to a request for something the credential may not see: a stranger's 404. */
  public static ProblemException notFound() {
    return ProblemException.of("not-found", "no such account");
  }

  /** 403 {@code insufficient-scope}, naming {@code missing}. */
  public static ProblemException insufficient(String missing, String detail) {
    return new ProblemException(
        Problem.of("insufficient-scope", detail).withRequiredScope(missing));
  }
}
