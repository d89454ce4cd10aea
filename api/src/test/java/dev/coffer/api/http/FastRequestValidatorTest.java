package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The validator checks what Vert.x's checks, builds each schema validator once, and never hops. */
class FastRequestValidatorTest {
  private static Vertx vertx;
  private static OpenAPIContract contract;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = ApiContract.load(vertx).await(30, TimeUnit.SECONDS).contract();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void eachSchemaValidatorIsBuiltOnceAndValidationStaysOnTheCallersThread() throws Exception {
    AtomicInteger built = new AtomicInteger();
    SchemaRepository repository = contract.getSchemaRepository();
    SchemaRepository counting =
        (SchemaRepository)
            Proxy.newProxyInstance(
                SchemaRepository.class.getClassLoader(),
                new Class<?>[] {SchemaRepository.class},
                (proxy, method, args) -> {
                  if ("validator".equals(method.getName())) {
                    built.incrementAndGet();
                  }
                  return method.invoke(repository, args);
                });
    OpenAPIContract observed =
        (OpenAPIContract)
            Proxy.newProxyInstance(
                OpenAPIContract.class.getClassLoader(),
                new Class<?>[] {OpenAPIContract.class},
                (proxy, method, args) ->
                    "getSchemaRepository".equals(method.getName())
                        ? counting
                        : method.invoke(contract, args));
    FastRequestValidator validator = new FastRequestValidator(vertx, observed);
    int atStart = built.get();
    for (int i = 0; i < 50; i++) {
      var result = validator.validate(getAccount(UUID.randomUUID().toString()), "getAccount");
      // Done when it returns: no worker thread was involved.
      assertThat(result.succeeded()).isTrue();
      ValidatedRequest validated = result.result();
      assertThat(validated.getPathParameters()).containsKey("id");
    }
    assertThat(built.get() - atStart).as("validators built while validating 50 requests").isZero();
  }

  @Test
  void anInvalidValueIsStillRefused() {
    FastRequestValidator validator = new FastRequestValidator(vertx, contract);
    var result = validator.validate(getAccount(null), "getAccount");
    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).isInstanceOf(ValidatorException.class);
  }

  @Test
  void aStringParameterIsItsTextEvenWhenItLooksLikeJson() {
    FastRequestValidator validator = new FastRequestValidator(vertx, contract);
    for (String cursor : new String[] {"12345", "true", "a-b_c", "\"quoted\""}) {
      var request =
          new ValidatableRequestImpl(
              Map.of(),
              Map.of(),
              Map.of("id", new RequestParameterImpl(UUID.randomUUID().toString())),
              Map.of("cursor", new RequestParameterImpl(cursor)),
              null,
              null);
      var result = validator.validate(request, "listEntries");
      assertThat(result.succeeded()).as(cursor).isTrue();
      assertThat(result.result().getQuery().get("cursor").getString()).isEqualTo(cursor);
    }
  }

  @Test
  void aConsistencyTokenOfDigitsOnlyIsAToken() {
    // Vert.x would read it as a number and refuse it for not being a string.
    FastRequestValidator validator = new FastRequestValidator(vertx, contract);
    var request =
        new ValidatableRequestImpl(
            Map.of(),
            Map.of("Consistency-Token", new RequestParameterImpl("0000000003000028")),
            Map.of("id", new RequestParameterImpl(UUID.randomUUID().toString())),
            Map.of(),
            null,
            null);
    var result = validator.validate(request, "getAccount");
    assertThat(result.succeeded()).isTrue();
    assertThat(result.result().getHeaders().get("Consistency-Token").getString())
        .isEqualTo("0000000003000028");
  }

  @Test
  void aMissingRequiredParameterIsRefused() {
    FastRequestValidator validator = new FastRequestValidator(vertx, contract);
    var result = validator.validate(getAccount(null), "getAccount");
    assertThat(result.failed()).isTrue();
    assertThat(result.cause().getMessage()).contains("id");
  }

  private static ValidatableRequest getAccount(String id) {
    return new ValidatableRequestImpl(
        Map.of(),
        Map.of(),
        id == null ? Map.of() : Map.of("id", new RequestParameterImpl(id)),
        Map.of(),
        null,
        null);
  }
}
