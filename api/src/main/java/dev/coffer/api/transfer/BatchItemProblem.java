package dev.coffer.api.transfer;

import dev.coffer.api.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How a failed batch names its item, whether the body was invalid or a ledger rule said no: 422
 * with the item's code, and each error with its {@code index} and the field as {@code
 * transfers[i].field}, so a client fixes one item without guessing.
 */
final class BatchItemProblem {
  private BatchItemProblem() {}

  static Problem of(int index, Problem item) {
    JsonArray errors = new JsonArray();
    if (item.errors() == null || item.errors().isEmpty()) {
      errors.add(error(index, null, item.code(), item.detail()));
    } else {
      item.errors()
          .forEach(
              e -> {
                JsonObject error = (JsonObject) e;
                errors.add(
                    error(
                        index, error.getString("field"), item.code(), error.getString("message")));
              });
    }
    return item.withErrors(errors).restated(422, "transfer " + index + ": " + item.detail());
  }

  private static JsonObject error(int index, String field, String code, String message) {
    return new JsonObject()
        .put("index", index)
        .put("field", "transfers[" + index + "]" + (field == null ? "" : "." + field))
        .put("code", code)
        .put("message", message);
  }
}
