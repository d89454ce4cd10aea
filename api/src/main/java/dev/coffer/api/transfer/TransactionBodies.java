package dev.coffer.api.transfer;

import dev.coffer.api.http.RequestBodies;
import dev.coffer.ledger.transaction.Leg;
import dev.coffer.ledger.transaction.Split;
import dev.coffer.ledger.transaction.TransactionRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /v1/transactions}, read into a ledger request: each leg gives an {@code
 * amount} or a {@code share} ({@code "12.5%"} or {@code "rest"}) of the transaction's {@code
 * amount}, split exactly by {@link Split}.
 */
final class TransactionBodies {
  private static final long ABSENT = -1;

  private TransactionBodies() {}

  static TransactionRequest transaction(JsonObject body, MoveTerms terms) {
    JsonArray items = body.getJsonArray("legs");
    List<Split.Share> shares = new ArrayList<>(items.size());
    boolean shared = false;
    long sum = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String field = "legs[" + i + "]";
      boolean hasAmount = item.containsKey("amount");
      if (hasAmount == item.containsKey("share")) {
        throw RequestBodies.invalid(field, "takes one of amount and share");
      }
      if (hasAmount) {
        long amount = RequestBodies.integer(item, "amount", 0);
        shares.add(new Split.Fixed(amount));
        sum = Math.addExact(sum, amount);
      } else {
        Split.Share share = Split.parse(item.getString("share"));
        if (share == null) {
          throw RequestBodies.invalid(
              field + ".share", "is a percent above 0 and at most 100 (\"12.5%\") or \"rest\"");
        }
        shares.add(share);
        shared = true;
      }
    }
    long total = RequestBodies.integer(body, "amount", ABSENT);
    if (shared && total == ABSENT) {
      throw RequestBodies.invalid("amount", "is required when a leg gives a share");
    }
    long[] amounts = Split.amounts(total == ABSENT ? sum : total, shares);
    List<Leg> legs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      legs.add(
          new Leg(
              RequestBodies.uuid(item, "fromAccountId"),
              RequestBodies.uuid(item, "toAccountId"),
              amounts[i],
              item.getString("description"),
              TransferBodies.metadata(item)));
    }
    return new TransactionRequest(
        legs, body.getString("description"), TransferBodies.metadata(body), terms.of(body));
  }
}
