package dev.coffer.api.transfer;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.transfer.Transfer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** Transfers as the contract writes them. */
public final class TransferJson {
  private TransferJson() {}

  public static JsonObject transfer(Transfer t) {
    return new JsonObject()
        .put("id", ApiJson.id(t.id()))
        .put("kind", t.kind().wire())
        .put("fromAccountId", ApiJson.id(t.kind().shownSource(t.fromAccountId())))
        .put("toAccountId", ApiJson.id(t.kind().shownDestination(t.toAccountId())))
        .put("amount", t.amount())
        .put("currency", t.currency())
        .put("status", t.status().wire())
        .put("description", t.description())
        .put("createdAt", ApiJson.time(t.createdAt()))
        .put("postedAt", ApiJson.time(t.postedAt()))
        .put("expiresAt", ApiJson.time(t.expiresAt()))
        .put("reversalOf", ApiJson.id(t.reversalOf()))
        .put("reversedAmount", t.reversedAmount())
        .put("capturedAmount", t.capturedAmount())
        .put("metadata", metadata(t.metadata()))
        .put("effectiveAt", ApiJson.time(t.effectiveAt()))
        .put("transactionId", ApiJson.id(t.transactionId()));
  }

  /** Metadata as the contract writes it: an object, empty when there is none. */
  public static JsonObject metadata(Map<String, String> metadata) {
    JsonObject json = new JsonObject();
    metadata.forEach(json::put);
    return json;
  }

  public static JsonObject list(List<Transfer> transfers) {
    JsonArray data = new JsonArray();
    transfers.forEach(t -> data.add(transfer(t)));
    return new JsonObject().put("data", data);
  }
}
