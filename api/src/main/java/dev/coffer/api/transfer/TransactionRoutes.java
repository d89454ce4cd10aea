package dev.coffer.api.transfer;

import dev.coffer.api.access.Access;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.idempotency.IdempotentRequests;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.transaction.ConversionRequest;
import dev.coffer.ledger.transaction.Leg;
import dev.coffer.ledger.transaction.Transaction;
import dev.coffer.ledger.transaction.TransactionRequest;
import dev.coffer.ledger.transaction.TransactionService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.ValidatedRequest;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Transactions: many legs booked under one id, all or none ({@code POST /v1/transactions}), read
 * back by their creator. Each leg is also a transfer, seen by both sides as transfers are.
 */
public final class TransactionRoutes {
  private final TransactionService transactions;
  private final MoveAnswers answers;
  private final MoveTerms terms;

  public TransactionRoutes(
      TransactionService transactions, TransferRoutes transfers, MoveTerms terms) {
    this.transactions = transactions;
    this.answers = transfers.answers();
    this.terms = terms;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createTransaction", this::create)
        .on("createConversion", this::convert)
        .on("getTransaction", this::get)
        .on("listTransactions", this::list);
  }

  private Future<?> create(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    TransactionRequest request = TransactionBodies.transaction(body, terms);
    Set<UUID> touched = new HashSet<>();
    for (int i = 0; i < request.legs().size(); i++) {
      Leg leg = request.legs().get(i);
      if (!Access.reaches(ctx, leg.from())) {
        throw ProblemException.of("not-found", "legs[" + i + "]: no such account");
      }
      touched.add(leg.from());
      touched.add(leg.to());
    }
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    return transactions
        .book(
            session.userId(),
            request,
            key,
            t -> TransferRoutes.stored(201, TransactionJson.transaction(t)))
        .compose(committed -> answers.answer(ctx, committed, touched));
  }

  private Future<?> convert(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    // The schema's pattern admits only plain decimals: this parse cannot fail.
    BigDecimal rate = new BigDecimal(body.getString("rate"));
    ConversionRequest request =
        new ConversionRequest(
            RequestBodies.uuid(body, "fromAccountId"),
            RequestBodies.uuid(body, "toAccountId"),
            RequestBodies.integer(body, "amount", 0),
            rate,
            body.getString("description"),
            TransferBodies.metadata(body));
    // Both sides are the caller's own: a key limited to some accounts must reach both.
    if (!Access.reaches(ctx, request.from()) || !Access.reaches(ctx, request.to())) {
      throw ProblemException.of("not-found", "no such account");
    }
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    return transactions
        .convert(
            session.userId(),
            request,
            key,
            t -> TransferRoutes.stored(201, TransactionJson.transaction(t)))
        .compose(committed -> answers.answer(ctx, committed, Set.of(request.from(), request.to())));
  }

  private Future<?> get(RoutingContext ctx) {
    return transactions
        .get(
            SessionAuthentication.of(ctx).userId(),
            RequestBodies.pathId(ctx, "id"),
            ReadConsistency.required(ctx))
        .compose(
            t -> {
              if (!reaches(ctx, t)) {
                throw ProblemException.of("not-found", "no such transaction");
              }
              return JsonResponses.send(ctx, 200, TransactionJson.transaction(t));
            });
  }

  private Future<?> list(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    UUID before = Pages.after(request, "transaction", UUID::fromString);
    return transactions
        .page(
            SessionAuthentication.of(ctx).userId(),
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
                        "transaction",
                        TransactionJson::transaction,
                        (Transaction t) -> t.id().toString(),
                        (Transaction t) -> reaches(ctx, t))));
  }

  // An API key limited to some accounts sees a transaction that pays from one of them.
  private static boolean reaches(RoutingContext ctx, Transaction t) {
    return t.legs().stream().anyMatch(leg -> Access.reaches(ctx, leg.fromAccountId()));
  }
}
