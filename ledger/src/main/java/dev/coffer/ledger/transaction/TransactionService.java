package dev.coffer.ledger.transaction;

import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.IdempotencyRecords;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Books transactions (many legs, all or none) and reads them back. A transaction is booked in a
 * transaction of its own, not in a group commit: it already takes each account's lock once and
 * commits once for all its legs, which is what a group buys for separate transfers.
 */
public final class TransactionService {
  private final WriteTransactions writes;
  private final ReadRouter reads;

  public TransactionService(WriteTransactions writes, ReadRouter reads) {
    this.writes = writes;
    this.reads = reads;
  }

  /** Books {@code request} for {@code owner} (tests, tools). */
  public Future<Committed<Transaction>> book(UUID owner, TransactionRequest request) {
    return writes.run(conn -> TransactionSql.book(conn, newId(), owner, request));
  }

  /** Books {@code request} at most once per {@code key}. */
  public Future<Committed<Outcome<Transaction>>> book(
      UUID owner,
      TransactionRequest request,
      IdempotencyKey key,
      Function<Transaction, StoredResponse> render) {
    return once(key, render, conn -> TransactionSql.book(conn, newId(), owner, request));
  }

  /** Converts between two of {@code owner}'s accounts at most once per {@code key}. */
  public Future<Committed<Outcome<Transaction>>> convert(
      UUID owner,
      ConversionRequest request,
      IdempotencyKey key,
      Function<Transaction, StoredResponse> render) {
    return once(key, render, conn -> TransactionSql.convert(conn, newId(), owner, request));
  }

  /** Converts without an idempotency key (tests, tools). */
  public Future<Committed<Transaction>> convert(UUID owner, ConversionRequest request) {
    return writes.run(conn -> TransactionSql.convert(conn, newId(), owner, request));
  }

  private Future<Committed<Outcome<Transaction>>> once(
      IdempotencyKey key,
      Function<Transaction, StoredResponse> render,
      Function<SqlConnection, Future<Transaction>> work) {
    return writes.run(conn -> IdempotencyRecords.once(conn, key, work, render));
  }

  private static UUID newId() {
    return TransactionSql.newTransactionId();
  }

  /** {@code owner}'s transaction {@code id}; not-found for anyone else's. */
  public Future<Transaction> get(UUID owner, UUID id, ConsistencyToken token) {
    return reads.read(token, client -> TransactionSql.find(client, owner, id));
  }

  /** A page of {@code owner}'s transactions, newest first, with ids below {@code before}. */
  public Future<List<Transaction>> page(
      UUID owner, UUID before, int limit, ConsistencyToken token) {
    return reads.read(token, client -> TransactionSql.page(client, owner, before, limit));
  }
}
