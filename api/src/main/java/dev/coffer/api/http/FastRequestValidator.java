package dev.coffer.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Vert.x OpenAPI's request validator, with its costs on the hot path removed and its checks kept.
 * Vert.x builds a JSON-schema validator for every parameter and body of every request (here each is
 * built once, at start-up for parameters, and kept); it hops to a worker thread to validate a few
 * small values (here it validates on the event loop, where the request already is); and it reads a
 * string parameter that is not a bare word (a UUID, say) by trying it as JSON first, which throws,
 * then again in quotes (here a string parameter is its text: a cursor of digits is not the number
 * it looks like).
 */
final class FastRequestValidator extends RequestValidatorImpl {
  private final Map<String, List<ParameterCheck>> checksByOperation = new HashMap<>();

  FastRequestValidator(Vertx vertx, OpenAPIContract contract) {
    this(vertx, withValidatorsKept(contract));
  }

  // One repository that keeps what it builds, for the parameter checks here and for what Vert.x
  // still validates itself (bodies, parameters in other styles): each schema's validator once.
  private FastRequestValidator(Vertx vertx, KeptValidators contract) {
    super(vertx, contract.contract());
    SchemaRepository repository = contract.repository();
    for (Operation operation : contract.contract().operations()) {
      List<ParameterCheck> checks = new ArrayList<>();
      for (Parameter param : operation.getParameters()) {
        checks.add(new ParameterCheck(param, repository.validator(param.getSchema())));
      }
      checksByOperation.put(operation.getOperationId(), List.copyOf(checks));
    }
  }

  @Override
  public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    List<ParameterCheck> checks = checksByOperation.get(operationId);
    if (checks == null) {
      return super.validate(request, operationId);
    }
    return getOperation(operationId).compose(operation -> validateNow(request, operation, checks));
  }

  private Future<ValidatedRequest> validateNow(
      ValidatableRequest request, Operation operation, List<ParameterCheck> checks) {
    try {
      Map<String, RequestParameter> cookies = new HashMap<>();
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      for (ParameterCheck check : checks) {
        String name = check.param().getName();
        switch (check.param().getIn()) {
          case COOKIE -> cookies.put(name, validate(check, request.getCookies().get(name)));
          case HEADER -> headers.put(name, validate(check, request.getHeaders().get(name)));
          case PATH -> path.put(name, validate(check, request.getPathParameters().get(name)));
          case QUERY -> query.put(name, validate(check, request.getQuery().get(name)));
        }
      }
      RequestParameter body = validateBody(operation.getRequestBody(), request);
      return Future.succeededFuture(new ValidatedRequestImpl(cookies, headers, path, query, body));
    } catch (ValidatorException e) {
      return Future.failedFuture(e);
    }
  }

  private RequestParameter validate(ParameterCheck check, RequestParameter given) {
    if (!check.isPlainString()) {
      return validateParameter(check.param(), given);
    }
    if (given == null || given.isNull()) {
      if (check.param().isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(check.param());
      }
      return new RequestParameterImpl(null);
    }
    String value = String.valueOf(given.get());
    OutputUnit verdict = check.validator().validate(value);
    try {
      verdict.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(check.param(), verdict, e);
    }
    return new RequestParameterImpl(value);
  }

  /** One parameter of one operation and its schema's validator, built once. */
  private record ParameterCheck(Parameter param, Validator validator) {
    // A string in the simple (path, header) or form (query) style arrives as its own text.
    boolean isPlainString() {
      return param.getSchemaType() == SchemaType.STRING
          && (param.getStyle() == Style.SIMPLE || param.getStyle() == Style.FORM);
    }
  }

  // The contract as the validator sees it: the same, but its schema repository keeps the
  // validator it builds for each schema instead of building it again on every call.
  private record KeptValidators(OpenAPIContract contract, SchemaRepository repository) {}

  private static KeptValidators withValidatorsKept(OpenAPIContract contract) {
    SchemaRepository repository = contract.getSchemaRepository();
    // By identity: the contract hands out the same schema object every time, and a schema's own
    // hashCode walks its whole JSON tree.
    Map<Identity, Validator> kept = new ConcurrentHashMap<>();
    SchemaRepository keeping =
        delegate(
            SchemaRepository.class,
            repository,
            (method, args) ->
                "validator".equals(method.getName())
                        && args != null
                        && args.length == 1
                        && args[0] instanceof JsonSchema schema
                    ? kept.computeIfAbsent(new Identity(schema), k -> repository.validator(schema))
                    : null);
    return new KeptValidators(
        delegate(
            OpenAPIContract.class,
            contract,
            (method, args) ->
                "getSchemaRepository".equals(method.getName()) && (args == null || args.length == 0)
                    ? keeping
                    : null),
        keeping);
  }

  private record Identity(Object of) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Identity identity && identity.of == of;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(of);
    }
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
