package dev.coffer.api.transfer;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.transaction.Conversion;
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
    if (t.conversion() != null) {
      amount = t.conversion().fromAmount(); // two currencies do not add up: the amount sold
    }
    return new JsonObject()
        .put("id", ApiJson.id(t.id()))
        .put("amount", amount)
        .put("description", t.description())
        .put("metadata", TransferJson.metadata(t.metadata()))
        .put("createdAt", ApiJson.time(t.createdAt()))
        .put("effectiveAt", ApiJson.time(t.effectiveAt()))
        .put("legs", legs)
        .put("conversion", conversion(t.conversion()));
  }

  private static JsonObject conversion(Conversion c) {
    if (c == null) {
      return null;
    }
    return new JsonObject()
        .put("rate", c.rate().toPlainString())
        .put("fromCurrency", c.fromCurrency())
        .put("fromAmount", c.fromAmount())
        .put("toCurrency", c.toCurrency())
        .put("toAmount", c.toAmount())
        .put("rounding", c.rounding())
        .put("roundedOff", c.roundedOff().toPlainString());
  }
}
