package dev.coffer.api.server;

import dev.coffer.api.http.ApiContract;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemResponder;
import dev.coffer.api.http.RequestState;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.http.RouteStage;
import dev.coffer.api.tracing.Tracing;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the HTTP router from the OpenAPI document: every route and method comes from the contract,
 * every request is validated against it, and every operation must have a handler (and every handler
 * an operation), so the document and the service cannot drift.
 */
public final class ApiRouter {
  public static final int BODY_LIMIT_BYTES = 64 * 1024;

  private ApiRouter() {}

  /**
   * The router for {@code contract}: each operation's route runs the {@code stages} in order
   * (limits, authentication), then validation against the contract, then the operation's handler.
   */
  public static Router create(
      Vertx vertx, ApiContract api, OperationHandlers handlers, List<RouteStage> stages) {
    OpenAPIContract contract = api.contract();
    OperationHandlers all = handlers.copy();
    all.raw(
        "getOpenApi",
        ctx ->
            ctx.response()
                .putHeader("Content-Type", "application/yaml; charset=utf-8")
                .end(api.text()));
    Map<String, Handler<RoutingContext>> byOperation = all.byOperationId();

    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    RoutePaths paths = new RoutePaths(contract);
    // Vert.x Web wants the body handler ahead of any other on a route.
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
    builder.rootHandler(paths::rejectLooseMatches);
    RequestValidation validation = new RequestValidation(vertx, contract);
    Set<String> unused = new HashSet<>(byOperation.keySet());
    for (OpenAPIRoute route : builder.getRoutes()) {
      Operation operation = route.getOperation();
      Handler<RoutingContext> handler = byOperation.get(operation.getOperationId());
      if (handler == null) {
        throw new IllegalStateException(
            "operation " + operation.getOperationId() + " in the contract has no handler");
      }
      unused.remove(operation.getOperationId());
      // Security and validation are ours to order: the stages (authentication among them) first,
      // so an anonymous caller learns nothing about a request's shape, then the schema.
      route.setDoSecurity(false).setDoValidation(false);
      String template = path(operation);
      route.addHandler(
          ctx -> {
            RequestState state = RequestState.of(ctx);
            if (state != null) {
              state.route(template);
            }
            Tracing.nameServerSpan(ctx.request().method().name(), template);
            ctx.next();
          });
      boolean secured = requiresBearer(operation);
      for (RouteStage stage : stages) {
        Handler<RoutingContext> step = stage.forOperation(operation, secured);
        if (step != null) {
          route.addHandler(step);
        }
      }
      route.addHandler(validation.handler(operation)).addHandler(handler);
    }
    if (!unused.isEmpty()) {
      throw new IllegalStateException("handlers for operations not in the contract: " + unused);
    }

    Router router = builder.createRouter();
    ProblemResponder problems = new ProblemResponder(paths::allowedMethods);
    router.route().failureHandler(problems);
    for (int status : new int[] {400, 401, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, problems);
    }
    return router;
  }

  private static String path(Operation operation) {
    return operation.getOpenAPIPath();
  }

  private static boolean requiresBearer(Operation operation) {
    return operation.getSecurityRequirements().stream().anyMatch(r -> !r.isEmpty());
  }

  /** The contract's path templates, matched exactly. */
  static final class RoutePaths {
    private final Map<Pattern, List<String>> methodsByPath = new LinkedHashMap<>();
    private final List<String> colonPrefixes = new ArrayList<>();

    RoutePaths(OpenAPIContract contract) {
      for (Path path : contract.getPaths()) {
        methodsByPath.put(
            template(path.getName()),
            path.getOperations().stream().map(o -> o.getHttpMethod().name()).toList());
        String literal = path.getName().replaceAll("\\{[^}]*}", "");
        int colon = literal.indexOf(':');
        if (colon > 0) {
          colonPrefixes.add(literal.substring(0, colon));
        }
      }
    }

    private static Pattern template(String path) {
      StringBuilder regex = new StringBuilder();
      for (String part : path.split("(?=\\{)|(?<=})")) {
        regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
      }
      return Pattern.compile(regex + "/?");
    }

    /** The Allow header for {@code path}, or null when no template matches it. */
    String allowedMethods(String path) {
      List<String> methods = new ArrayList<>();
      methodsByPath.forEach(
          (pattern, m) -> {
            if (pattern.matcher(path).matches()) {
              methods.addAll(m);
            }
          });
      return methods.isEmpty()
          ? null
          : methods.stream().distinct().collect(Collectors.joining(", "));
    }

    // Vert.x Web reads ":batch" in "/v1/transfers:batch" as a path parameter, so that route would
    // also take "/v1/transfersXYZ". Anything under such a prefix that no template matches is 404.
    void rejectLooseMatches(RoutingContext ctx) {
      String path;
      try {
        path = ctx.normalizedPath();
      } catch (IllegalArgumentException e) {
        // A broken percent-escape: no route can have that name.
        ctx.fail(404);
        return;
      }
      for (String prefix : colonPrefixes) {
        if (path.startsWith(prefix)
            && path.length() > prefix.length()
            && path.charAt(prefix.length()) != '/'
            && allowedMethods(path) == null) {
          ctx.fail(404);
          return;
        }
      }
      ctx.next();
    }
  }
}
