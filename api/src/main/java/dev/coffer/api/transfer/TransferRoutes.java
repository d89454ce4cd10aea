package dev.coffer.api.transfer;

import dev.coffer.api.access.Access;
import dev.coffer.api.account.AccountCache;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.Problem;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.idempotency.IdempotentRequests;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.transfer.BatchItemException;
import dev.coffer.ledger.transfer.Reversal;
import dev.coffer.ledger.transfer.Settle;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferFilter;
import dev.coffer.ledger.transfer.TransferKind;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferService;
import dev.coffer.ledger.transfer.TransferStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Moving money: deposits, withdrawals, transfers (posted or pending), post, void, reversals,
 * batches, and reading a transfer. Every write runs at most once per {@code Idempotency-Key}.
 */
public final class TransferRoutes implements MeterBinder {
  private final TransferService transfers;
  private final MoveAnswers answers;
  private final MoveTerms terms;

  public TransferRoutes(
      TransferService transfers,
      WriteReceipts receipts,
      AccountCache cache,
      MoneyMoved moneyMoved,
      MoveTerms terms) {
    this.transfers = transfers;
    this.answers = new MoveAnswers(receipts, cache, moneyMoved);
    this.terms = terms;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("coffer.idempotent.replays", answers.replays(), LongAdder::sum)
        .description("requests answered with the stored response of an earlier one")
        .register(registry);
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createDeposit", ctx -> move(ctx, body -> TransferBodies.deposit(body, terms)))
        .on("createWithdrawal", ctx -> move(ctx, body -> TransferBodies.withdrawal(body, terms)))
        .on("createTransfer", ctx -> move(ctx, body -> TransferBodies.transfer(body, terms)))
        .on("createTransferBatch", this::batch)
        .on("postTransfer", ctx -> settle(ctx, TransferStatus.POSTED))
        .on("voidTransfer", ctx -> settle(ctx, TransferStatus.VOIDED))
        .on("reverseTransfer", this::reverse)
        .on("getTransfer", this::get)
        .on("listTransfers", this::list);
  }

  private Future<?> move(RoutingContext ctx, Function<JsonObject, TransferRequest> read) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    TransferRequest request = read.apply(body);
    if (!Access.reaches(ctx, ownSide(request))) {
      throw new ProblemException(ACCOUNT_NOT_REACHED);
    }
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    return transfers
        .move(session.userId(), request, key, t -> stored(201, TransferJson.transfer(t)))
        .compose(committed -> answer(ctx, committed, accountsOf(List.of(request))));
  }

  private Future<?> batch(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    List<TransferRequest> requests = TransferBodies.batch(body, terms);
    for (int i = 0; i < requests.size(); i++) {
      if (!Access.reaches(ctx, ownSide(requests.get(i)))) {
        throw new ProblemException(BatchItemProblem.of(i, ACCOUNT_NOT_REACHED));
      }
    }
    return transfers
        .batch(session.userId(), requests, key, list -> stored(201, TransferJson.list(list)))
        .recover(TransferRoutes::namingTheItem)
        .compose(committed -> answer(ctx, committed, accountsOf(requests)));
  }

  private Future<?> settle(RoutingContext ctx, TransferStatus outcome) {
    Session session = SessionAuthentication.of(ctx);
    UUID id = RequestBodies.pathId(ctx, "id");
    JsonObject body = RequestBodies.json(ctx); // an absent body reads as {}
    Settle settle = TransferBodies.settle(id, outcome, body);
    // A settle without a body is fingerprinted as before partial capture (no body), so a retry
    // that straddles an upgrade still replays.
    IdempotencyKey key =
        IdempotentRequests.key(ctx, session.userId(), body.isEmpty() ? null : body);
    return reached(ctx, id)
        .compose(
            v ->
                transfers.settle(
                    session.userId(), settle, key, t -> stored(200, TransferJson.transfer(t))))
        .compose(
            committed -> {
              Transfer settled = committed.value().value(); // null on a replay: nothing moved
              Set<UUID> touched = new HashSet<>();
              if (settled != null) {
                touched.add(settled.fromAccountId());
                touched.add(settled.toAccountId());
              }
              return answer(ctx, committed, touched);
            });
  }

  private Future<?> reverse(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    UUID id = RequestBodies.pathId(ctx, "id");
    JsonObject body = RequestBodies.json(ctx); // an absent body reads as {}: the same request
    Reversal reversal = TransferBodies.reversal(id, body);
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    return reached(ctx, id)
        .compose(
            v ->
                transfers.reverse(
                    session.userId(), reversal, key, t -> stored(201, TransferJson.transfer(t))))
        .compose(
            committed -> {
              Transfer made = committed.value().value(); // null on a replay: nothing moved
              Set<UUID> touched = new HashSet<>();
              if (made != null) {
                touched.add(made.fromAccountId());
                touched.add(made.toAccountId());
              }
              return answer(ctx, committed, touched);
            });
  }

  private Future<?> list(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    UUID before = Pages.after(request, "transfer", UUID::fromString);
    TransferFilter filter = TransferQueries.filter(ctx, request);
    Access.requireReach(ctx, filter.account());
    return transfers
        .page(
            SessionAuthentication.of(ctx).userId(),
            filter,
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
                        "transfer",
                        TransferJson::transfer,
                        (Transfer t) -> t.id().toString(),
                        (Transfer t) -> reaches(ctx, t))));
  }

  private Future<?> get(RoutingContext ctx) {
    return transfers
        .get(
            SessionAuthentication.of(ctx).userId(),
            RequestBodies.pathId(ctx, "id"),
            ReadConsistency.required(ctx))
        .compose(
            t -> {
              if (!reaches(ctx, t)) {
                throw noSuchTransfer();
              }
              return JsonResponses.send(ctx, 200, TransferJson.transfer(t));
            });
  }

  // What the ledger answers a move from (or a deposit into) an account of someone else's.
  private static final Problem ACCOUNT_NOT_REACHED = Problem.of("not-found", null);

  // The user's account a move takes from (or, for a deposit, pays into): what an API key limited
  // to some accounts must reach. A transfer's payee may be anyone's account.
  private static UUID ownSide(TransferRequest request) {
    return request.kind() == TransferKind.DEPOSIT ? request.to() : request.from();
  }

  // An API key limited to some accounts sees a transfer touching one of them, as a stranger else.
  private static boolean reaches(RoutingContext ctx, Transfer t) {
    return Access.reaches(ctx, t.fromAccountId()) || Access.reaches(ctx, t.toAccountId());
  }

  // For a key limited to some accounts, the transfer is read first (as any read) and answered as
  // not found unless it touches one of them; anyone else goes straight on.
  private Future<Void> reached(RoutingContext ctx, UUID id) {
    if (!Access.of(ctx).limitedToAccounts()) {
      return Future.succeededFuture();
    }
    return transfers
        .get(SessionAuthentication.of(ctx).userId(), id, ReadConsistency.required(ctx))
        .map(
            t -> {
              if (!reaches(ctx, t)) {
                throw noSuchTransfer();
              }
              return null;
            });
  }

  private static ProblemException noSuchTransfer() {
    return ProblemException.of("not-found", "no such transfer");
  }

  private static <T> Future<T> namingTheItem(Throwable failure) {
    return Future.failedFuture(
        failure instanceof BatchItemException item
            ? new ProblemException(
                BatchItemProblem.of(item.index(), Problem.of(item.itemFailure())))
            : failure);
  }

  static StoredResponse stored(int status, JsonObject body) {
    return new StoredResponse(status, body.toBuffer().getBytes());
  }

  private static Set<UUID> accountsOf(List<TransferRequest> requests) {
    Set<UUID> ids = new HashSet<>();
    requests.forEach(
        r -> {
          ids.add(r.from());
          ids.add(r.to());
        });
    return ids;
  }

  /** How this feature answers a committed write: what transactions answer with too. */
  MoveAnswers answers() {
    return answers;
  }

  private Future<Void> answer(
      RoutingContext ctx, Committed<? extends Outcome<?>> committed, Set<UUID> touched) {
    return answers.answer(ctx, committed, touched);
  }
}
