package dev.coffer.api.stream;

import dev.coffer.api.account.AccountJson;
import dev.coffer.ledger.entry.Entry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** The messages of {@code /v1/stream}, as the contract writes them. */
final class StreamMessages {
  static final String HEARTBEAT = new JsonObject().put("type", "heartbeat").encode();

  private StreamMessages() {}

  static String entry(UUID account, Entry entry, long available, JsonArray monitorsTriggered) {
    JsonObject message =
        new JsonObject()
            .put("type", "entry")
            .put("accountId", account.toString())
            .put("entry", AccountJson.entry(entry))
            .put("balance", entry.balanceAfter())
            .put("available", available);
    // Only on an entry that made a balance monitor fire: once per crossing, as the entry is sent.
    if (monitorsTriggered != null) {
      message.put("monitorsTriggered", monitorsTriggered);
    }
    return message.encode();
  }

  static String subscribed(UUID account, long seq) {
    return new JsonObject()
        .put("type", "subscribed")
        .put("accountId", account.toString())
        .put("seq", seq)
        .encode();
  }

  static String unsubscribed(UUID account) {
    return new JsonObject()
        .put("type", "unsubscribed")
        .put("accountId", account.toString())
        .encode();
  }

  static String error(String code, String accountId, String message) {
    JsonObject error = new JsonObject().put("type", "error").put("code", code);
    if (accountId != null) {
      error.put("accountId", accountId);
    }
    return error.put("message", message).encode();
  }
}
