package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.ratelimit.RateLimiting;
import dev.coffer.api.server.ApiRouter;
import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.impl.Utils;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The served document is valid OpenAPI 3.1 and lists exactly the routes the router serves. */
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
  // Enabled, so that building the router checks every x-rate-limit names a policy.
  private static final RateLimiting LIMITS =
      new RateLimiting(
          new RateLimitSettings(true, false, RateLimitSettings.policies(name -> null), List.of()),
          null,
          ClientAddresses.trusting(List.of()));
  private static final List<RouteStage> STAGES = List.of(LIMITS::byAddress, LIMITS::byUser);
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void servedDocumentIsTheProjectsOpenApi31File() throws Exception {
    Reply reply = api.get("/openapi.yaml", null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("application/yaml");
    try (InputStream file = getClass().getClassLoader().getResourceAsStream("openapi.yaml")) {
      assertThat(reply.body().getBytes()).isEqualTo(file.readAllBytes());
    }
    JsonObject document = served();
    assertThat(document.getString("openapi")).startsWith("3.1.");
    OpenAPIVersion version = OpenAPIVersion.fromContract(document);
    assertThat(version).isEqualTo(OpenAPIVersion.V3_1);
    OutputUnit verdict =
        version
            .getRepository(vertx, "app://")
            .compose(repository -> version.validateContract(vertx, repository, document))
            .await(30, TimeUnit.SECONDS);
    assertThat(verdict.getValid()).as(verdict.toJson().encodePrettily()).isTrue();
  }

  @Test
  void theRouterServesExactlyTheDocumentsOperations() throws Exception {
    ApiContract contract = ApiContract.load(vertx).await(30, TimeUnit.SECONDS);
    OperationHandlers handlers = new OperationHandlers();
    operationIds(served()).forEach(id -> handlers.raw(id, ctx -> ctx.response().end()));
    Router router = ApiRouter.create(vertx, contract, withoutOpenApi(handlers), STAGES);
    Set<String> routed = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() != null && route.methods() != null) {
        route.methods().forEach(m -> routed.add(m.name() + " " + route.getPath()));
      }
    }
    assertThat(routed).isEqualTo(documented(served()));
  }

  @Test
  void aHandlerWithoutAnOperationOrAnOperationWithoutAHandlerStopsTheStart() throws Exception {
    ApiContract contract = ApiContract.load(vertx).await(30, TimeUnit.SECONDS);
    OperationHandlers missing = new OperationHandlers();
    operationIds(served()).stream()
        .filter(id -> !id.equals("getAccount") && !id.equals("getOpenApi"))
        .forEach(id -> missing.raw(id, ctx -> ctx.response().end()));
    assertThatThrownBy(() -> ApiRouter.create(vertx, contract, missing, STAGES))
        .hasMessageContaining("getAccount");

    OperationHandlers extra = withoutOpenApi(new OperationHandlers());
    operationIds(served()).stream()
        .filter(id -> !id.equals("getOpenApi"))
        .forEach(id -> extra.raw(id, ctx -> ctx.response().end()));
    extra.raw("deleteEverything", ctx -> ctx.response().end());
    assertThatThrownBy(() -> ApiRouter.create(vertx, contract, extra, STAGES))
        .hasMessageContaining("deleteEverything");
  }

  @Test
  void everyDocumentedOperationIsRoutedOnTheRunningService() {
    for (String operation : documented(served())) {
      String[] parts = operation.split(" ", 2);
      // Path parameters take a random id; ":batch" is part of a literal path, not a parameter.
      String path = parts[1].replaceAll("/:[a-zA-Z]+", "/" + UUID.randomUUID());
      Reply reply = api.send(HttpMethod.valueOf(parts[0]), path, Map.of(), null);
      assertThat(reply.status()).as(operation + " -> " + reply).isNotEqualTo(405);
      assertThat(reply.text()).as(operation).doesNotContain("no such route");
    }
  }

  private static OperationHandlers withoutOpenApi(OperationHandlers handlers) {
    // ApiRouter serves the document itself.
    OperationHandlers copy = new OperationHandlers();
    handlers
        .byOperationId()
        .forEach(
            (id, h) -> {
              if (!id.equals("getOpenApi")) {
                copy.raw(id, h);
              }
            });
    return copy;
  }

  private static JsonObject served() {
    try {
      return Utils.yamlStringToJson(api.get("/openapi.yaml", null).text())
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> operationIds(JsonObject document) {
    Set<String> ids = new TreeSet<>();
    document
        .getJsonObject("paths")
        .forEach(
            path ->
                ((JsonObject) path.getValue())
                    .forEach(
                        op -> {
                          if (METHODS.contains(op.getKey())) {
                            ids.add(((JsonObject) op.getValue()).getString("operationId"));
                          }
                        }));
    return ids;
  }

  /** "METHOD /path/:param" for every operation, in Vert.x Web's path syntax. */
  private static Set<String> documented(JsonObject document) {
    Set<String> operations = new TreeSet<>();
    document
        .getJsonObject("paths")
        .forEach(
            path ->
                ((JsonObject) path.getValue())
                    .fieldNames().stream()
                        .filter(METHODS::contains)
                        .forEach(
                            m ->
                                operations.add(
                                    m.toUpperCase()
                                        + " "
                                        + path.getKey().replaceAll("\\{([^}]+)}", ":$1"))));
    return operations;
  }
}
