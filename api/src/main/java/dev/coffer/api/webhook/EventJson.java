package dev.coffer.api.webhook;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.webhook.WebhookStore;
import io.vertx.core.json.JsonObject;

/** Events as the contract writes them, in lists and in webhook bodies alike. */
final class EventJson {
  private EventJson() {}

  static JsonObject event(WebhookStore.Event e) {
    return new JsonObject()
        .put("id", e.id().toString())
        .put("type", e.type())
        .put("createdAt", ApiJson.time(e.createdAt()))
        .put("data", e.data());
  }

  static JsonObject endpoint(WebhookStore.Endpoint w) {
    JsonObject json =
        new JsonObject()
            .put("id", w.id().toString())
            .put("url", w.url())
            .put("eventTypes", new io.vertx.core.json.JsonArray(w.eventTypes()))
            .put("createdAt", ApiJson.time(w.createdAt()));
    if (w.secret() != null) {
      json.put("secret", w.secret());
    }
    return json;
  }
}
