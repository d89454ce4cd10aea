package dev.coffer.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Vert.x OpenAPI's request validator, with its two costs on the hot path removed and its checks
 * unchanged: it builds a JSON-schema validator for every parameter and body of every request (here
 * each is built once per schema and kept), and it hops to a worker thread to validate a few small
 * values (here it validates on the event loop, where the request already is: microseconds).
 */
final class FastRequestValidator extends RequestValidatorImpl {

  FastRequestValidator(Vertx vertx, OpenAPIContract contract) {
    super(vertx, withValidatorsKept(contract));
  }

  @Override
  public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    return getOperation(operationId).compose(operation -> validateNow(request, operation));
  }

  private Future<ValidatedRequest> validateNow(ValidatableRequest request, Operation operation) {
    try {
      Map<String, RequestParameter> cookies = new HashMap<>();
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      for (Parameter param : operation.getParameters()) {
        String name = param.getName();
        switch (param.getIn()) {
          case COOKIE ->
              cookies.put(name, validateParameter(param, request.getCookies().get(name)));
          case HEADER ->
              headers.put(name, validateParameter(param, request.getHeaders().get(name)));
          case PATH ->
              path.put(name, validateParameter(param, request.getPathParameters().get(name)));
          case QUERY -> query.put(name, validateParameter(param, request.getQuery().get(name)));
        }
      }
      RequestParameter body = validateBody(operation.getRequestBody(), request);
      return Future.succeededFuture(new ValidatedRequestImpl(cookies, headers, path, query, body));
    } catch (ValidatorException e) {
      return Future.failedFuture(e);
    }
  }

  // The contract as the validator sees it: the same, but its schema repository keeps the
  // validator it builds for each schema instead of building it again on every call.
  private static OpenAPIContract withValidatorsKept(OpenAPIContract contract) {
    SchemaRepository repository = contract.getSchemaRepository();
    Map<JsonSchema, Validator> kept = new ConcurrentHashMap<>();
    SchemaRepository keeping =
        delegate(
            SchemaRepository.class,
            repository,
            (method, args) ->
                "validator".equals(method.getName())
                        && args != null
                        && args.length == 1
                        && args[0] instanceof JsonSchema schema
                    ? kept.computeIfAbsent(schema, repository::validator)
                    : null);
    return delegate(
        OpenAPIContract.class,
        contract,
        (method, args) ->
            "getSchemaRepository".equals(method.getName()) && (args == null || args.length == 0)
                ? keeping
                : null);
  }

  private interface Answer {
    /** The answer instead of the delegate's, or null to ask the delegate. */
    Object answer(java.lang.reflect.Method method, Object[] args);
  }

  private static <T> T delegate(Class<T> type, T target, Answer override) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              Object answer = override.answer(method, args);
              if (answer != null) {
                return answer;
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }
}
