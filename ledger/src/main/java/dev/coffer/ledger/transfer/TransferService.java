package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Moves money: deposits, withdrawals, transfers (posted or pending), post, void, reversals,
 * batches.
 */
public final class TransferService {
  public static final int MAX_BATCH = 100;

  private final WriteTransactions writes;
  private final ReadRouter reads;
  private final TransferGroups groups;

  public TransferService(WriteTransactions writes, ReadRouter reads) {
    this(writes, reads, GroupCommitSettings.OFF);
  }

  public TransferService(WriteTransactions writes, ReadRouter reads, GroupCommitSettings groups) {
    this.writes = writes;
    this.reads = reads;
    this.groups = groups.enabled() ? new TransferGroups(writes, groups) : null;
  }

  /** Applies one request for {@code owner}. */
  public Future<Committed<Transfer>> move(UUID owner, TransferRequest request) {
    return writes.run(conn -> TransferSql.move(conn, owner, request));
  }

  /**
   * Applies one request at most once per idempotency key: in a group with others when group commit
   * is on (the answers are the same).
   */
  public Future<Committed<Outcome<Transfer>>> move(
      UUID owner,
      TransferRequest request,
      IdempotencyKey key,
      Function<Transfer, StoredResponse> render) {
    if (groups != null) {
      return groups.submit(owner, request, key, render);
    }
    return writes.run(
        conn ->
            IdempotencyRecords.once(conn, key, c -> TransferSql.move(c, owner, request), render));
  }

  /**
   * Posts ({@code POSTED}) or voids ({@code VOIDED}) all of a pending transfer of {@code owner}'s.
   */
  public Future<Committed<Transfer>> settle(UUID owner, UUID transferId, TransferStatus outcome) {
    return settle(owner, Settle.whole(transferId, outcome));
  }

  /**
   * Settles a pending transfer of {@code owner}'s as {@code settle} says (a capture in part, say).
   */
  public Future<Committed<Transfer>> settle(UUID owner, Settle settle) {
    return writes.run(conn -> TransferSql.settle(conn, owner, settle));
  }

  /** The idempotent form of {@link #settle(UUID, Settle)}. */
  public Future<Committed<Outcome<Transfer>>> settle(
      UUID owner, Settle settle, IdempotencyKey key, Function<Transfer, StoredResponse> render) {
    return writes.run(
        conn ->
            IdempotencyRecords.once(conn, key, c -> TransferSql.settle(c, owner, settle), render));
  }

  /** Reverses (refunds) a posted transfer that {@code owner} was paid, once per key. */
  public Future<Committed<Outcome<Transfer>>> reverse(
      UUID owner,
      Reversal reversal,
      IdempotencyKey key,
      Function<Transfer, StoredResponse> render) {
    return writes.run(
        conn ->
            IdempotencyRecords.once(
                conn, key, c -> TransferSql.reverse(c, owner, reversal), render));
  }

  /** Reverses without an idempotency key (tests, tools). */
  public Future<Committed<Transfer>> reverse(UUID owner, Reversal reversal) {
    return writes.run(conn -> TransferSql.reverse(conn, owner, reversal));
  }

  /** The group committer, when group commit is on. */
  public Optional<TransferGroups> groups() {
    return Optional.ofNullable(groups);
  }

  /** Applies every request or none; a failing item fails with {@link BatchItemException}. */
  public Future<Committed<List<Transfer>>> batch(UUID owner, List<TransferRequest> requests) {
    return writes.run(conn -> batchIn(conn, owner, requests));
  }

  /** The idempotent form of {@link #batch}. */
  public Future<Committed<Outcome<List<Transfer>>>> batch(
      UUID owner,
      List<TransferRequest> requests,
      IdempotencyKey key,
      Function<List<Transfer>, StoredResponse> render) {
    return writes.run(
        conn -> IdempotencyRecords.once(conn, key, c -> batchIn(c, owner, requests), render));
  }

  private static Future<List<Transfer>> batchIn(
      SqlConnection conn, UUID owner, List<TransferRequest> requests) {
    if (requests.isEmpty() || requests.size() > MAX_BATCH) {
      return Future.failedFuture(
          new LedgerException(
              LedgerError.VALIDATION, "a batch holds 1 to " + MAX_BATCH + " transfers"));
    }
    // Lock every account the batch touches up front, settlement shards included, in id order, as
    // single transfers and groups do, so that a batch does not deadlock with a group (which costs
    // deadlock_timeout before the retry). One race is left: a reservation that expires between
    // this lock and the booking has its payee locked then, out of order.
    Future<List<Transfer>> chain =
        TransferSql.lockForMoves(conn, requests).map(v -> new ArrayList<>());
    for (int i = 0; i < requests.size(); i++) {
      int index = i;
      TransferRequest request = requests.get(i);
      chain =
          chain.compose(
              done ->
                  TransferSql.move(conn, owner, request)
                      .recover(
                          failure -> {
                            Throwable t = WriteTransactions.translate(failure);
                            return Future.failedFuture(
                                t instanceof LedgerException le
                                    ? new BatchItemException(index, le)
                                    : t);
                          })
                      .map(
                          transfer -> {
                            done.add(transfer);
                            return done;
                          }));
    }
    return chain;
  }

  /**
   * A page of the transfers touching {@code owner}'s accounts, newest first, with ids below {@code
   * before} (null: from the newest); not-found when the filter names an account not theirs.
   */
  public Future<List<Transfer>> page(
      UUID owner, TransferFilter filter, UUID before, int limit, ConsistencyToken token) {
    return reads.read(token, pool -> TransferSql.page(pool, owner, filter, before, limit));
  }

  /** A transfer that {@code owner} is on either side of; not-found otherwise. */
  public Future<Transfer> get(UUID owner, UUID transferId, ConsistencyToken token) {
    return reads.read(token, pool -> TransferSql.find(pool, owner, transferId));
  }

  /**
   * Expires up to {@code limit} pending transfers past their expiry, in one transaction; returns
   * how many. Sweepers on several instances take disjoint batches (SKIP LOCKED).
   */
  public Future<Integer> expireDue(int limit) {
    return TransferSql.expireDue(writes.primary(), limit);
  }

  /**
   * Expires up to {@code limit} due pending transfers in one transaction, answering the accounts
   * they touched (with the commit's token, to announce them) and when the next one falls due.
   */
  public Future<Committed<Sweep>> sweepDue(int limit) {
    return writes.run(conn -> TransferSql.sweepDue(conn, limit));
  }
}
