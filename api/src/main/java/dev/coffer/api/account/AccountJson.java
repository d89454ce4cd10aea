package dev.coffer.api.account;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.entry.Entry;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/** Accounts and journal entries as the contract writes them. */
public final class AccountJson {
  private AccountJson() {}

  public static JsonObject account(Account a) {
    return new JsonObject()
        .put("id", ApiJson.id(a.id()))
        .put("name", a.name())
        .put("currency", a.currency())
        .put("balance", a.balance())
        .put("available", a.available())
        .put("pendingDebits", a.pendingDebits())
        .put("pendingCredits", a.pendingCredits())
        .put("overdraftLimit", a.overdraftLimit())
        .put("createdAt", ApiJson.time(a.createdAt()))
        .put("version", a.version())
        .put("metadata", new JsonObject(new LinkedHashMap<>(a.metadata())))
        .put("status", a.closed() ? "closed" : "open")
        .put("closedAt", ApiJson.time(a.closedAt()));
  }

  public static JsonObject entry(Entry e) {
    return new JsonObject()
        .put("seq", e.seq())
        .put("transferId", ApiJson.id(e.transferId()))
        .put("kind", e.kind().wire())
        .put("amount", e.amount())
        .put("balanceAfter", e.balanceAfter())
        .put(
            "counterpartyAccountId",
            ApiJson.id(e.kind().shownCounterparty(e.counterpartyAccountId())))
        .put("status", e.status().wire())
        .put("description", e.description())
        .put("createdAt", ApiJson.time(e.createdAt()))
        .put("metadata", new JsonObject(new LinkedHashMap<>(e.metadata())))
        .put("reversalOf", ApiJson.id(e.reversalOf()))
        .put("effectiveAt", ApiJson.time(e.effectiveAt()));
  }
}
