package dev.coffer.api.account;

import dev.coffer.api.access.Access;
import dev.coffer.api.http.ApiJson;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.MetadataQuery;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.api.transfer.MoneyMoved;
import dev.coffer.api.transfer.TransferBodies;
import dev.coffer.ledger.account.AccountChange;
import dev.coffer.ledger.account.AccountFilter;
import dev.coffer.ledger.account.AccountService;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.entry.Entry;
import dev.coffer.ledger.entry.EntryService;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.Set;
import java.util.UUID;

/** Accounts and their journals: open, list, get, change, close, reopen, entries. */
public final class AccountRoutes {
  private final AccountService accounts;
  private final EntryService entries;
  private final WriteReceipts receipts;
  private final AccountCache cache;
  private final MoneyMoved moneyMoved;

  public AccountRoutes(
      AccountService accounts,
      EntryService entries,
      WriteReceipts receipts,
      AccountCache cache,
      MoneyMoved moneyMoved) {
    this.accounts = accounts;
    this.entries = entries;
    this.receipts = receipts;
    this.cache = cache;
    this.moneyMoved = moneyMoved;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createAccount", this::create)
        .on("listAccounts", this::list)
        .on("getAccount", this::get)
        .on("updateAccount", this::update)
        .on("closeAccount", this::close)
        .on("reopenAccount", this::reopen)
        .on("listEntries", this::entries);
  }

  private Future<?> create(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    if (session.grant().limitedToAccounts()) {
      throw Access.insufficient(
          "accounts:write",
          "a key limited to some accounts cannot open others (it could not reach them)");
    }
    JsonObject body = RequestBodies.json(ctx);
    long overdraft = RequestBodies.integer(body, "overdraftLimit", 0);
    return accounts
        .open(
            session.userId(),
            body.getString("currency"),
            body.getString("name"),
            overdraft,
            TransferBodies.metadata(body))
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
    UUID after = Pages.after(request, "account", UUID::fromString);
    return accounts
        .page(
            SessionAuthentication.of(ctx).userId(),
            filter(ctx, request),
            after,
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
                        "account",
                        AccountJson::account,
                        a -> a.id().toString(),
                        a -> Access.reaches(ctx, a.id()))));
  }

  private static AccountFilter filter(RoutingContext ctx, ValidatedRequest request) {
    RequestParameter name = request.getQuery().get("name");
    RequestParameter status = request.getQuery().get("status");
    MetadataQuery metadata = MetadataQuery.of(ctx);
    return new AccountFilter(
        name == null || name.isNull() ? null : name.getString(),
        metadata == null ? null : metadata.key(),
        metadata == null ? null : metadata.value(),
        status == null || status.isNull() ? null : "closed".equals(status.getString()));
  }

  private Future<?> update(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID id = RequestBodies.pathId(ctx, "id");
    JsonObject body = RequestBodies.json(ctx);
    AccountChange change =
        new AccountChange(
            body.containsKey("name"),
            body.getString("name"),
            body.containsKey("metadata"),
            TransferBodies.metadata(body));
    return accounts
        .change(owner, id, change)
        .compose(
            committed ->
                written(ctx, committed, Set.of(id), AccountJson.account(committed.value())));
  }

  private Future<?> close(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID id = RequestBodies.pathId(ctx, "id");
    JsonObject body = ctx.body().isEmpty() ? new JsonObject() : RequestBodies.json(ctx);
    UUID sweepTo = body.getString("sweepTo") == null ? null : RequestBodies.uuid(body, "sweepTo");
    if (sweepTo != null && !Access.reaches(ctx, sweepTo)) {
      throw Access.notFound();
    }
    String description = body.getString("description", "Closing sweep");
    return accounts
        .close(owner, id, sweepTo, Uuids.timeOrdered(), description)
        .compose(
            committed -> {
              AccountService.Closing closing = committed.value();
              Set<UUID> touched =
                  closing.sweptTo() == null ? Set.of(id) : Set.of(id, closing.sweptTo());
              if (closing.sweepTransferId() != null) {
                moneyMoved.committed(touched, committed.token());
              }
              JsonObject json =
                  new JsonObject()
                      .put("account", AccountJson.account(closing.account()))
                      .put("sweepTransferId", ApiJson.id(closing.sweepTransferId()));
              return written(ctx, committed, touched, json);
            });
  }

  private Future<?> reopen(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID id = RequestBodies.pathId(ctx, "id");
    return accounts
        .reopen(owner, id)
        .compose(
            committed ->
                written(ctx, committed, Set.of(id), AccountJson.account(committed.value())));
  }

  // A cached account is dropped before the change to it is answered.
  private Future<Void> written(
      RoutingContext ctx, Committed<?> committed, Set<UUID> touched, JsonObject body) {
    return cache
        .invalidate(touched)
        .compose(v -> receipts.send(ctx, committed.token(), 200, body.toBuffer(), false));
  }

  private Future<?> get(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID id = RequestBodies.pathId(ctx, "id");
    ConsistencyToken required = ReadConsistency.required(ctx);
    return cache
        .get(owner, id, required)
        .compose(
            cached -> {
              if (cached.isPresent()) {
                return JsonResponses.send(ctx, 200, cached.get());
              }
              return accounts
                  .get(owner, id, required)
                  .compose(
                      account -> {
                        JsonObject json = AccountJson.account(account);
                        // What was read is at least as fresh as what the read required.
                        cache.put(owner, id, required, json);
                        return JsonResponses.send(ctx, 200, json);
                      });
            });
  }

  private Future<?> entries(RoutingContext ctx) {
    UUID account = RequestBodies.pathId(ctx, "id");
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    Long before = Pages.after(request, "entry", Long::valueOf);
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
}
