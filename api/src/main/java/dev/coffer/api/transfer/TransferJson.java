package dev.coffer.api.transfer;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.transfer.Transfer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Transfers as the contract writes them. */
public final class TransferJson {
  private TransferJson() {}

  public static JsonObject transfer(Transfer t) {
    return new JsonObject()
        .put("id", ApiJson.id(t.id()))
        .put("kind", t.kind())
        // The settlement side of a deposit or withdrawal is the service's own account: null here.
        .put("fromAccountId", "deposit".equals(t.kind()) ? null : ApiJson.id(t.fromAccountId()))
        .put("toAccountId", "withdrawal".equals(t.kind()) ? null : ApiJson.id(t.toAccountId()))
        .put("amount", t.amount())
        .put("currency", t.currency())
        .put("status", t.status())
        .put("description", t.description())
        .put("createdAt", ApiJson.time(t.createdAt()))
        .put("postedAt", ApiJson.time(t.postedAt()))
        .put("expiresAt", ApiJson.time(t.expiresAt()));
  }

  public static JsonObject list(List<Transfer> transfers) {
    JsonArray data = new JsonArray();
    transfers.forEach(t -> data.add(transfer(t)));
    return new JsonObject().put("data", data);
  }
}
