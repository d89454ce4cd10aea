package dev.coffer.api.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.impl.Utils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The operations of {@code openapi.yaml} as the fuzzer needs them: $refs already resolved. */
final class Contract {
  /** A parameter of an operation; {@code in} is path, query or header. */
  record Parameter(String name, String in, boolean required, JsonObject schema) {}

  /** One operation; {@code body} is its JSON body's schema, or null when it takes none. */
  record Operation(
      String id,
      String method,
      String path,
      boolean secured,
      List<Parameter> parameters,
      JsonObject body) {}

  final List<Operation> operations;
  final Set<String> problemCodes;
  private final JsonObject root;

  private Contract(JsonObject root) {
    this.root = root;
    this.operations = readOperations();
    this.problemCodes =
        new HashSet<>(
            schema("Problem")
                .getJsonObject("properties")
                .getJsonObject("code")
                .getJsonArray("examples")
                .getList());
  }

  static Contract load() {
    try (InputStream in = Contract.class.getResourceAsStream("/openapi.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Contract(Utils.yamlStringToJson(yaml).await(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read openapi.yaml", e);
    }
  }

  JsonObject schema(String name) {
    return resolve(root.getJsonObject("components").getJsonObject("schemas").getJsonObject(name));
  }

  /** {@code node} with every {@code $ref} in it replaced by what it points to. */
  JsonObject resolve(JsonObject node) {
    if (node.containsKey("$ref")) {
      return resolve(pointer(node.getString("$ref")));
    }
    JsonObject copy = new JsonObject();
    node.forEach(
        e -> {
          Object value = e.getValue();
          if (value instanceof JsonObject object) {
            copy.put(e.getKey(), resolve(object));
          } else if (value instanceof JsonArray array) {
            JsonArray items = new JsonArray();
            array.forEach(item -> items.add(item instanceof JsonObject o ? resolve(o) : item));
            copy.put(e.getKey(), items);
          } else {
            copy.put(e.getKey(), value);
          }
        });
    return copy;
  }

  private JsonObject pointer(String ref) {
    JsonObject node = root;
    for (String part : ref.substring(2).split("/")) {
      node = node.getJsonObject(part);
    }
    return node;
  }

  private List<Operation> readOperations() {
    boolean securedByDefault = !root.getJsonArray("security", new JsonArray()).isEmpty();
    List<Operation> found = new ArrayList<>();
    JsonObject paths = root.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject op = resolve(item.getJsonObject(method));
        List<Parameter> parameters = new ArrayList<>();
        for (Object p : op.getJsonArray("parameters", new JsonArray())) {
          JsonObject parameter = (JsonObject) p;
          parameters.add(
              new Parameter(
                  parameter.getString("name"),
                  parameter.getString("in"),
                  parameter.getBoolean("required", false),
                  parameter.getJsonObject("schema", new JsonObject())));
        }
        JsonObject body =
            op.containsKey("requestBody")
                ? op.getJsonObject("requestBody")
                    .getJsonObject("content")
                    .getJsonObject("application/json")
                    .getJsonObject("schema")
                : null;
        boolean secured =
            op.containsKey("security") ? !op.getJsonArray("security").isEmpty() : securedByDefault;
        found.add(
            new Operation(
                op.getString("operationId"),
                method.toUpperCase(Locale.ROOT),
                path,
                secured,
                parameters,
                body));
      }
    }
    return List.copyOf(found);
  }
}
