package dev.coffer.api.transfer;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.transaction.Transaction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Transactions as the contract writes them. */
final class TransactionJson {
  private TransactionJson() {}

  static JsonObject transaction(Transaction t) {
    JsonArray legs = new JsonArray();
    long amount = 0;
    for (var leg : t.legs()) {
      legs.add(TransferJson.transfer(leg));
      amount += leg.amount();
    }
    return new JsonObject()
        .put("id", ApiJson.id(t.id()))
        .put("amount", amount)
        .put("description", t.description())
        .put("metadata", TransferJson.metadata(t.metadata()))
        .put("createdAt", ApiJson.time(t.createdAt()))
        .put("effectiveAt", ApiJson.time(t.effectiveAt()))
        .put("legs", legs);
  }
}
