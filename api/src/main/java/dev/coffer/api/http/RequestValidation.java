package dev.coffer.api.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a request against its operation in the OpenAPI contract, after authentication, and turns
 * every refusal into the contract's problem: 415 for a body that is not JSON, 400 for JSON that
 * does not parse or a bad parameter, 400 {@code idempotency-key-required}, 422 for a body that
 * breaks its schema (unknown fields included).
 */
public final class RequestValidation {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final String BODY_INVALID = "The value of the request body is invalid";

  private final RequestValidator validator;
  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();

  public RequestValidation(Vertx vertx, OpenAPIContract contract) {
    this.validator = new FastRequestValidator(vertx, contract);
  }

  /** The validated request a handler reads its parameters and body from. */
  public static ValidatedRequest of(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  /** The handler that validates requests for {@code operation}. */
  public Handler<RoutingContext> handler(Operation operation) {
    boolean takesBody = operation.getRequestBody() != null;
    boolean bodyOptional = takesBody && !operation.getRequestBody().isRequired();
    boolean needsKey =
        operation.getParameters().stream().anyMatch(RequestValidation::isIdempotencyKey);
    List<String> integerQuery =
        operation.getParameters().stream()
            .filter(p -> p.getIn() == Location.QUERY && "integer".equals(p.getSchema().get("type")))
            .map(Parameter::getName)
            .toList();
    return ctx -> {
      Problem early = precheck(ctx, takesBody, bodyOptional, needsKey);
      if (early == null) {
        early = integerQueryProblem(ctx, integerQuery);
      }
      if (early != null) {
        ctx.fail(new ProblemException(early));
        return;
      }
      extractor
          .extractValidatableRequest(ctx, operation)
          .compose(request -> validator.validate(request, operation.getOperationId()))
          .onSuccess(
              validated -> {
                ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
                ctx.next();
              })
          .onFailure(
              e ->
                  ctx.fail(
                      e instanceof ValidatorException ve
                          ? new ProblemException(problemFor(ve))
                          : e));
    };
  }

  // What the contract answers with its own codes, checked before the schema so that a client
  // gets the specific code rather than a generic parameter error.
  private static Problem precheck(
      RoutingContext ctx, boolean takesBody, boolean bodyOptional, boolean needsKey) {
    if (needsKey && ctx.request().getHeader(IDEMPOTENCY_KEY) == null) {
      return Problem.of(
          "idempotency-key-required", "this request moves money: send an Idempotency-Key header");
    }
    if (!takesBody) {
      return null;
    }
    Buffer body = ctx.body().buffer();
    if ((body == null || body.length() == 0) && bodyOptional) {
      return null;
    }
    if (body == null || body.length() == 0) {
      return Problem.of("malformed-json", "a JSON request body is required");
    }
    if (!isJson(ctx.request().getHeader("Content-Type"))) {
      return Problem.of(
          "unsupported-media-type", "send the body as application/json; charset=utf-8");
    }
    // Media types are case-insensitive (RFC 9110 8.3.1) but the schema validator compares them
    // exactly: it is handed the one spelling of the type just accepted.
    ctx.request().headers().set("Content-Type", "application/json");
    return StrictJson.check(body);
  }

  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+");

  // The schema validator reads a query integer as any number ("1e2", "+5", " 7"); the contract
  // takes only plain decimal digits.
  private static Problem integerQueryProblem(RoutingContext ctx, List<String> names) {
    for (String name : names) {
      for (String value : ctx.request().params().getAll(name)) {
        if (!DECIMAL.matcher(value).matches()) {
          return Problem.of("invalid-parameter", name + " must be written as decimal digits");
        }
      }
    }
    return null;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].trim().split("=", 2);
      if (kv[0].trim().equalsIgnoreCase("charset")
          && (kv.length < 2 || !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8"))) {
        return false;
      }
    }
    return true;
  }

  static Problem problemFor(ValidatorException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith(BODY_INVALID)) {
      JsonArray errors = new JsonArray();
      if (e instanceof SchemaValidationException sve) {
        fieldErrors(sve.getOutputUnit()).forEach(errors::add);
      }
      return Problem.of("validation", "the request body does not match its schema")
          .withErrors(errors);
    }
    return Problem.of("invalid-parameter", message);
  }

  private static final Pattern REQUIRED = Pattern.compile("required property \"(.+)\"");

  /**
   * One {@code {field, message}} per problem. The validator also reports a summary at every
   * enclosing {@code properties}/{@code items}, and an {@code additionalProperties} failure for a
   * declared property that failed its own schema: those say nothing a leaf does not.
   */
  static List<JsonObject> fieldErrors(OutputUnit verdict) {
    List<OutputUnit> leaves = new ArrayList<>();
    collect(verdict, leaves);
    List<OutputUnit> relevant = new ArrayList<>();
    for (OutputUnit unit : leaves) {
      String keyword = String.valueOf(unit.getKeywordLocation());
      if (!keyword.endsWith("/properties")
          && !keyword.endsWith("/items")
          && !keyword.endsWith("/$ref")
          && !"A subschema had errors".equals(unit.getError())) {
        relevant.add(unit);
      }
    }
    List<JsonObject> errors = new ArrayList<>();
    for (OutputUnit unit : relevant) {
      String pointer = String.valueOf(unit.getInstanceLocation());
      String keyword = String.valueOf(unit.getKeywordLocation());
      if (keyword.endsWith("/additionalProperties")) {
        boolean explained =
            relevant.stream()
                .anyMatch(
                    other ->
                        !other.getKeywordLocation().endsWith("/additionalProperties")
                            && (other.getInstanceLocation().equals(pointer)
                                || other.getInstanceLocation().startsWith(pointer + "/")));
        if (!explained) {
          errors.add(error(field(pointer), "is not a known field"));
        }
      } else if (keyword.endsWith("/required")) {
        Matcher m = REQUIRED.matcher(String.valueOf(unit.getError()));
        String name = m.find() ? m.group(1) : "";
        String parent = field(pointer);
        errors.add(error(parent.isEmpty() ? name : parent + "." + name, "is required"));
      } else {
        errors.add(error(field(pointer), message(keyword, unit.getError())));
      }
    }
    return errors;
  }

  private static final Pattern NUMBER = Pattern.compile("(\\d+)");

  // The validator's text for a count of keys says the opposite of its rule ("does not have at
  // least 16 properties" for maxProperties 16): the contract's own words instead.
  private static String message(String keyword, String error) {
    Matcher n = NUMBER.matcher(String.valueOf(error));
    if (keyword.endsWith("/maxProperties") && n.find()) {
      return "must have at most " + n.group(1) + " keys";
    }
    if (keyword.endsWith("/minProperties") && n.find()) {
      return "must have at least " + n.group(1) + " keys";
    }
    return error;
  }

  private static JsonObject error(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  private static void collect(OutputUnit unit, List<OutputUnit> into) {
    List<OutputUnit> children = unit.getErrors();
    if (children == null || children.isEmpty()) {
      if (unit.getError() != null) {
        into.add(unit);
      }
      return;
    }
    children.forEach(child -> collect(child, into));
  }

  // A JSON pointer ("/transfers/0/amount") as a field path ("transfers[0].amount").
  static String field(String pointer) {
    if (pointer == null || pointer.isEmpty() || pointer.equals("/") || pointer.equals("#")) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String part : pointer.replaceFirst("^#?/", "").split("/")) {
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
        out.append('[').append(name).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(name);
      }
    }
    return out.toString();
  }

  private static boolean isIdempotencyKey(Parameter p) {
    return p.getIn() == Location.HEADER && p.getName().equalsIgnoreCase(IDEMPOTENCY_KEY);
  }
}
