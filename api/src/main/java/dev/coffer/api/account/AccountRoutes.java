package dev.coffer.api.account;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.account.AccountService;
import dev.coffer.ledger.entry.Entry;
import dev.coffer.ledger.entry.EntryService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.UUID;

/** Accounts and their journals: open, list, get, entries. */
public final class AccountRoutes {
  private final AccountService accounts;
  private final EntryService entries;
  private final WriteReceipts receipts;

  public AccountRoutes(AccountService accounts, EntryService entries, WriteReceipts receipts) {
    this.accounts = accounts;
    this.entries = entries;
    this.receipts = receipts;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createAccount", this::create)
        .on("listAccounts", this::list)
        .on("getAccount", this::get)
        .on("listEntries", this::entries);
  }

  private Future<?> create(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    long overdraft = RequestBodies.integer(body, "overdraftLimit", 0);
    return accounts
        .open(session.userId(), body.getString("currency"), body.getString("name"), overdraft)
        .compose(
            committed -> {
              ctx.response().putHeader("Location", "/v1/accounts/" + committed.value().id());
              return receipts.send(
                  ctx,
                  committed.token(),
                  201,
                  AccountJson.account(committed.value()).toBuffer(),
                  false);
            });
  }

  private Future<?> list(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    UUID after = cursorId(Pages.after(request, "account"));
    return accounts
        .page(
            SessionAuthentication.of(ctx).userId(), after, limit + 1, ReadConsistency.required(ctx))
        .compose(
            rows ->
                JsonResponses.send(
                    ctx,
                    200,
                    Pages.page(
                        rows, limit, "account", AccountJson::account, a -> a.id().toString())));
  }

  private Future<?> get(RoutingContext ctx) {
    return accounts
        .get(
            SessionAuthentication.of(ctx).userId(),
            RequestBodies.pathId(ctx, "id"),
            ReadConsistency.required(ctx))
        .compose(account -> JsonResponses.send(ctx, 200, AccountJson.account(account)));
  }

  private Future<?> entries(RoutingContext ctx) {
    UUID account = RequestBodies.pathId(ctx, "id");
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    Long before = cursorSeq(Pages.after(request, "entry"));
    return entries
        .page(
            SessionAuthentication.of(ctx).userId(),
            account,
            before,
            limit + 1,
            ReadConsistency.required(ctx))
        .compose(
            rows ->
                JsonResponses.send(
                    ctx,
                    200,
                    Pages.page(
                        rows,
                        limit,
                        "entry",
                        AccountJson::entry,
                        (Entry e) -> Long.toString(e.seq()))));
  }

  private static UUID cursorId(String key) {
    if (key == null) {
      return null;
    }
    try {
      return UUID.fromString(key);
    } catch (IllegalArgumentException e) {
      throw ProblemException.of("invalid-parameter", "cursor is not one this API gave");
    }
  }

  private static Long cursorSeq(String key) {
    if (key == null) {
      return null;
    }
    try {
      return Long.parseLong(key);
    } catch (NumberFormatException e) {
      throw ProblemException.of("invalid-parameter", "cursor is not one this API gave");
    }
  }
}
