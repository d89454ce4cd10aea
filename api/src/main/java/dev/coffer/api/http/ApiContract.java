package dev.coffer.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI document: its exact text, served at {@code /openapi.yaml}, and the parsed contract
 * the router is built from.
 */
public record ApiContract(Buffer text, OpenAPIContract contract) {
  public static final String RESOURCE = "openapi.yaml";

  /** Reads, parses and checks the document (OpenAPI 3.1, every {@code $ref} resolved). */
  public static Future<ApiContract> load(Vertx vertx) {
    return vertx
        .fileSystem()
        .readFile(RESOURCE)
        .compose(
            text ->
                Utils.yamlStringToJson(text.toString(StandardCharsets.UTF_8))
                    .compose(json -> OpenAPIContract.from(vertx, forRequests(json)))
                    .map(contract -> new ApiContract(text, contract)));
  }

  /**
   * The document as the router needs it. Vert.x OpenAPI 5.0 refuses response media types outside a
   * fixed list (application/problem+json and application/yaml among them), though the router only
   * ever validates requests: responses' bodies are declared as application/json in this copy. The
   * served document keeps the true types. Its server is relative ("/": wherever the document was
   * fetched from, the API has no base path), which Vert.x cannot parse as a URL: this copy has no
   * server, so its routes are at the root, as they are.
   */
  static JsonObject forRequests(JsonObject document) {
    JsonObject copy = document.copy();
    copy.remove("servers");
    JsonObject paths = copy.getJsonObject("paths", new JsonObject());
    paths.forEach(
        path ->
            ((JsonObject) path.getValue())
                .forEach(
                    op -> {
                      if (op.getValue() instanceof JsonObject operation) {
                        JsonObject responses = operation.getJsonObject("responses");
                        if (responses != null) {
                          responses.forEach(r -> normalise((JsonObject) r.getValue()));
                        }
                      }
                    }));
    JsonObject components = copy.getJsonObject("components", new JsonObject());
    JsonObject responses = components.getJsonObject("responses", new JsonObject());
    responses.forEach(r -> normalise((JsonObject) r.getValue()));
    return copy;
  }

  private static void normalise(JsonObject response) {
    JsonObject content = response.getJsonObject("content");
    if (content == null) {
      return;
    }
    JsonObject supported = new JsonObject();
    content.forEach(
        c ->
            supported.put(
                MediaType.isMediaTypeSupported(c.getKey())
                    ? c.getKey()
                    : MediaType.APPLICATION_JSON,
                c.getValue()));
    response.put("content", supported);
  }
}
