package dev.coffer.api.transfer;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.idempotency.IdempotentRequests;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.function.Function;

/**
 * Moving money: deposits, withdrawals, transfers (posted or pending), post, void, batches, and
 * reading a transfer. Every write runs at most once per {@code Idempotency-Key}.
 */
public final class TransferRoutes {
  private final TransferService transfers;
  private final WriteReceipts receipts;

  public TransferRoutes(TransferService transfers, WriteReceipts receipts) {
    this.transfers = transfers;
    this.receipts = receipts;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createDeposit", ctx -> move(ctx, TransferBodies::deposit))
        .on("createWithdrawal", ctx -> move(ctx, TransferBodies::withdrawal))
        .on("createTransfer", ctx -> move(ctx, TransferBodies::transfer))
        .on("createTransferBatch", this::batch)
        .on("postTransfer", ctx -> settle(ctx, "posted"))
        .on("voidTransfer", ctx -> settle(ctx, "voided"))
        .on("getTransfer", this::get);
  }

  private Future<?> move(RoutingContext ctx, Function<JsonObject, TransferRequest> read) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    TransferRequest request = read.apply(body);
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    return transfers
        .move(session.userId(), request, key, t -> stored(201, TransferJson.transfer(t)))
        .compose(committed -> answer(ctx, committed));
  }

  private Future<?> batch(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    JsonObject body = RequestBodies.json(ctx);
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), body);
    return transfers
        .batch(
            session.userId(),
            TransferBodies.batch(body),
            key,
            list -> stored(201, TransferJson.list(list)))
        .compose(committed -> answer(ctx, committed));
  }

  private Future<?> settle(RoutingContext ctx, String outcome) {
    Session session = SessionAuthentication.of(ctx);
    UUID id = RequestBodies.pathId(ctx, "id");
    IdempotencyKey key = IdempotentRequests.key(ctx, session.userId(), null);
    return transfers
        .settle(session.userId(), id, outcome, key, t -> stored(200, TransferJson.transfer(t)))
        .compose(committed -> answer(ctx, committed));
  }

  private Future<?> get(RoutingContext ctx) {
    return transfers
        .get(
            SessionAuthentication.of(ctx).userId(),
            RequestBodies.pathId(ctx, "id"),
            ReadConsistency.required(ctx))
        .compose(t -> JsonResponses.send(ctx, 200, TransferJson.transfer(t)));
  }

  private static StoredResponse stored(int status, JsonObject body) {
    return new StoredResponse(status, body.toBuffer().getBytes());
  }

  private Future<Void> answer(RoutingContext ctx, Committed<? extends Outcome<?>> committed) {
    Outcome<?> outcome = committed.value();
    return receipts.send(
        ctx,
        committed.token(),
        outcome.response().status(),
        Buffer.buffer(outcome.response().body()),
        outcome.replayed());
  }
}
