package dev.coffer.api.access;

import dev.coffer.api.http.RequestBodies;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.SecurityRequirement;
import java.util.List;
import java.util.UUID;

/**
 * The route stage that holds an authenticated request to what its credential was granted: the scope
 * its operation names in the contract ({@code security: [{bearer: [transfers:write]}]}, or {@code
 * [session]} for what only a session may do), and, on {@code /v1/accounts/{id}...} routes, an
 * account the credential reaches. Runs after authentication; sessions pass every check.
 */
public final class ScopeCheck {
  static final String SESSION_ONLY = "session";
  private static final String ACCOUNT_PATH = "/v1/accounts/{id}";

  private final Runnable refused;

  /** {@code refused} is told of each request refused for what its grant lacks (a metric). */
  public ScopeCheck(Runnable refused) {
    this.refused = refused;
  }

  /** The stage for {@code operation}, or null when it is not secured. */
  public Handler<RoutingContext> forOperation(Operation operation, boolean secured) {
    if (!secured) {
      return null;
    }
    String required = requiredScope(operation);
    boolean sessionOnly = SESSION_ONLY.equals(required);
    Scope scope = sessionOnly ? null : Scope.parse(required);
    if (!sessionOnly && scope == null) {
      throw new IllegalStateException(
          operation.getOperationId()
              + " is secured but names no scope (security: [{bearer: [<resource>:<level>]}])");
    }
    boolean accountPath = operation.getOpenAPIPath().startsWith(ACCOUNT_PATH);
    return ctx -> {
      Grant grant = Access.of(ctx);
      if (sessionOnly && !grant.isSession()) {
        refused.run();
        ctx.fail(
            Access.insufficient(SESSION_ONLY, "this operation takes a session, not an API key"));
      } else if (scope != null && !grant.allows(scope)) {
        refused.run();
        ctx.fail(Access.insufficient(scope.toString(), "the API key lacks the scope " + scope));
      } else if (accountPath && !reachesPathAccount(ctx, grant)) {
        ctx.fail(Access.notFound());
      } else {
        ctx.next();
      }
    };
  }

  /** The scope {@code operation} names for its bearer token, or null when it names none. */
  public static String requiredScope(Operation operation) {
    for (SecurityRequirement requirement : operation.getSecurityRequirements()) {
      for (String name : requirement.getNames()) {
        List<String> scopes = requirement.getScopes(name);
        if (scopes != null && !scopes.isEmpty()) {
          return scopes.get(0);
        }
      }
    }
    return null;
  }

  // A malformed id is left to the handler, which answers it as no such account.
  private static boolean reachesPathAccount(RoutingContext ctx, Grant grant) {
    if (!grant.limitedToAccounts()) {
      return true;
    }
    UUID id = RequestBodies.uuidOrNull(ctx.pathParam("id"));
    return id == null || grant.reaches(id);
  }
}
