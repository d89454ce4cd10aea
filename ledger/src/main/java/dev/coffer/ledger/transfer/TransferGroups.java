package dev.coffer.ledger.transfer;

import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.WriteTracing;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.IdempotencyRecords;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Group commit for idempotent moves: requests that arrive while the database is busy with earlier
 * groups wait, and go together as the next group, in one transaction (one lock of each account, one
 * commit). Each request keeps its own outcome and idempotency record; a refused one (funds, a rule)
 * is undone alone and never fails the others. At most {@code maxInFlight} groups run at once, so
 * under light load a request goes at once, alone: grouping adds no waiting, it only gathers what
 * would otherwise queue for a connection or a row lock.
 *
 * <p>A group is booked {@link GroupBooking#AT_ONCE} (no subtransactions), and only if one of its
 * moves fails that way (not a refusal: a constraint, an overflow), again {@link
 * GroupBooking#MOVE_BY_MOVE}, in a new transaction, where that move fails alone.
 *
 * <p>The queue is bounded like a pool's wait queue: past {@code maxWaiting} moves, or after {@code
 * maxWait} in it, a move is refused at once as overload (the API's 503 {@code overloaded}), so that
 * one stuck group (a row lock held elsewhere) cannot hold every move of the instance.
 *
 * <p>Thread-safe: the queue is shared by every event loop of the instance; each answer is delivered
 * on the context its request came from.
 */
public final class TransferGroups {
  private final WriteTransactions writes;
  private final int maxSize;
  private final int maxInFlight;
  private final int maxWaiting;
  private final long maxWaitNanos;
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean sweepArmed;
  private long groupsRun;
  private long movesRun;
  private long bookedMoveByMove;

  public TransferGroups(WriteTransactions writes, GroupCommitSettings settings) {
    this.writes = writes;
    this.maxSize = settings.maxSize();
    this.maxInFlight = settings.maxInFlight();
    this.maxWaiting = settings.maxWaiting();
    this.maxWaitNanos = settings.maxWait().toNanos();
  }

  private record Request(
      UUID owner,
      TransferRequest move,
      IdempotencyKey key,
      Function<Transfer, StoredResponse> render,
      Context context,
      long queuedAt,
      String traceparent,
      Promise<Committed<Outcome<Transfer>>> answer) {

    String keyName() {
      return key.userId() + ":" + key.key();
    }

    void deliver(AsyncResult<Committed<Outcome<Transfer>>> result) {
      if (context == null || Vertx.currentContext() == context) {
        answer.handle(result);
      } else {
        context.runOnContext(v -> answer.handle(result));
      }
    }
  }

  /** Applies {@code move} at most once per {@code key}, in the next group. */
  public Future<Committed<Outcome<Transfer>>> submit(
      UUID owner,
      TransferRequest move,
      IdempotencyKey key,
      Function<Transfer, StoredResponse> render) {
    Promise<Committed<Outcome<Transfer>>> answer = Promise.promise();
    Request request =
        new Request(
            owner,
            move,
            key,
            render,
            Vertx.currentContext(),
            System.nanoTime(),
            writes.tracing().traceparent(),
            answer);
    List<Request> group;
    List<Request> expired;
    boolean admitted;
    synchronized (this) {
      expired = takeExpired(request.queuedAt());
      admitted = queue.size() < maxWaiting || inFlight < maxInFlight;
      if (admitted) {
        queue.add(request);
        group = nextGroup();
        armSweep(request.context());
      } else {
        group = null;
      }
    }
    expired.forEach(r -> r.deliver(overloaded("waited too long for a group")));
    if (!admitted) {
      request.deliver(overloaded("too many moves wait for a group"));
    }
    if (group != null) {
      run(group);
    }
    return answer.future();
  }

  private static Future<Committed<Outcome<Transfer>>> overloaded(String why) {
    return Future.failedFuture(new ConnectionPoolTooBusyException(why));
  }

  // Called holding the monitor: the moves at the head of the queue that have waited too long.
  private List<Request> takeExpired(long now) {
    List<Request> expired = new ArrayList<>(0);
    while (!queue.isEmpty() && now - queue.peek().queuedAt() > maxWaitNanos) {
      expired.add(queue.poll());
    }
    return expired;
  }

  // Called holding the monitor. While moves wait, a timer refuses those past their time even if
  // no group ends and no move arrives (every group stuck on a lock held elsewhere).
  private void armSweep(Context context) {
    if (sweepArmed || queue.isEmpty() || context == null) {
      return;
    }
    sweepArmed = true;
    long due = queue.peek().queuedAt() + maxWaitNanos - System.nanoTime();
    context.owner().setTimer(Math.max(1, due / 1_000_000 + 1), id -> sweep(context));
  }

  private void sweep(Context context) {
    List<Request> expired;
    synchronized (this) {
      sweepArmed = false;
      expired = takeExpired(System.nanoTime());
      armSweep(context);
    }
    expired.forEach(r -> r.deliver(overloaded("waited too long for a group")));
  }

  /** How many requests wait for a group (a gauge). */
  public synchronized int waiting() {
    return queue.size();
  }

  /** How many groups have been started (a counter). */
  public synchronized long groups() {
    return groupsRun;
  }

  /** How many groups were booked again move by move after failing at once (a counter). */
  public synchronized long bookedMoveByMove() {
    return bookedMoveByMove;
  }

  /** How many moves those groups held (a counter; over {@link #groups()}, the mean size). */
  public synchronized long moves() {
    return movesRun;
  }

  // Called holding the monitor. A second request with a key already in the group waits for a
  // later one, where it finds the first's answer to replay (or, if that one is still running in
  // a group beside it, is told "in progress", as on the single path).
  private List<Request> nextGroup() {
    if (inFlight >= maxInFlight || queue.isEmpty()) {
      return null;
    }
    inFlight++;
    List<Request> group = new ArrayList<>(Math.min(queue.size(), maxSize));
    Set<String> keys = new HashSet<>();
    for (Iterator<Request> it = queue.iterator(); it.hasNext() && group.size() < maxSize; ) {
      Request request = it.next();
      if (keys.add(request.keyName())) {
        group.add(request);
        it.remove();
      }
    }
    groupsRun++;
    movesRun += group.size();
    return group;
  }

  // At once first; a group that one of its moves failed (a constraint, an overflow: rare) is
  // booked again move by move, where that move fails alone.
  // Traced as one span linked to its members' (WriteTracing); each move's events keep its own
  // request's trace context, set in book, not the group's.
  private void run(List<Request> group) {
    writes
        .tracing()
        .group(
            group.stream().map(Request::traceparent).toList(),
            () ->
                writes
                    .run(conn -> book(conn, group, GroupBooking.AT_ONCE), null)
                    .recover(
                        failure -> {
                          if (!GroupBooking.failedOnAMove(failure)) {
                            return Future.failedFuture(failure);
                          }
                          synchronized (this) {
                            bookedMoveByMove++;
                          }
                          return writes.run(
                              conn -> book(conn, group, GroupBooking.MOVE_BY_MOVE), null);
                        }))
        .onComplete(
            done -> {
              List<Request> next;
              synchronized (this) {
                inFlight--;
                next = nextGroup();
              }
              // The next group first: nothing a delivery does can keep it from running.
              if (next != null) {
                run(next);
              }
              for (int i = 0; i < group.size(); i++) {
                Request request = group.get(i);
                if (done.failed()) {
                  request.deliver(Future.failedFuture(done.cause()));
                } else {
                  Committed<List<Future<Outcome<Transfer>>>> all = done.result();
                  request.deliver(
                      all.value().get(i).map(outcome -> new Committed<>(outcome, all.token())));
                }
              }
            });
  }

  // In the group's transaction: claim every key, replay or refuse what cannot run, book the rest
  // in one call, store the answers of what was booked.
  private static Future<List<Future<Outcome<Transfer>>>> book(
      SqlConnection conn, List<Request> group, GroupBooking booking) {
    List<IdempotencyKey> keys = group.stream().map(Request::key).toList();
    return IdempotencyRecords.claimAll(conn, keys)
        .compose(
            claims -> {
              List<Future<Outcome<Transfer>>> outcomes = new ArrayList<>(group.size());
              List<Integer> toBook = new ArrayList<>();
              for (int i = 0; i < group.size(); i++) {
                Future<StoredResponse> claim = claims.get(i);
                if (claim == null) {
                  outcomes.add(null);
                  toBook.add(i);
                } else {
                  outcomes.add(claim.map(stored -> new Outcome<Transfer>(null, stored, true)));
                }
              }
              if (toBook.isEmpty()) {
                return Future.succeededFuture(outcomes);
              }
              List<UUID> ids = new ArrayList<>(toBook.size());
              List<UUID> owners = new ArrayList<>(toBook.size());
              List<TransferRequest> moves = new ArrayList<>(toBook.size());
              Map<UUID, String> traces = new HashMap<>();
              for (int i : toBook) {
                ids.add(Uuids.timeOrdered());
                owners.add(group.get(i).owner());
                moves.add(group.get(i).move());
                if (group.get(i).traceparent() != null) {
                  traces.put(ids.get(ids.size() - 1), group.get(i).traceparent());
                }
              }
              Future<Void> tagged = WriteTracing.tagEach(conn, traces);
              return TransferSql.bookGroup(conn, booking, ids, owners, moves)
                  .compose(booked -> tagged.map(booked))
                  .compose(booked -> store(conn, group, toBook, booked, outcomes));
            });
  }

  private static Future<List<Future<Outcome<Transfer>>>> store(
      SqlConnection conn,
      List<Request> group,
      List<Integer> toBook,
      List<Future<Transfer>> booked,
      List<Future<Outcome<Transfer>>> outcomes) {
    List<IdempotencyKey> keys = new ArrayList<>();
    List<StoredResponse> responses = new ArrayList<>();
    for (int j = 0; j < toBook.size(); j++) {
      int i = toBook.get(j);
      Future<Transfer> transfer = booked.get(j);
      if (transfer.failed()) {
        outcomes.set(i, Future.failedFuture(transfer.cause()));
        continue;
      }
      StoredResponse response = group.get(i).render().apply(transfer.result());
      keys.add(group.get(i).key());
      responses.add(response);
      outcomes.set(i, Future.succeededFuture(new Outcome<>(transfer.result(), response, false)));
    }
    if (keys.isEmpty()) {
      return Future.succeededFuture(outcomes);
    }
    return IdempotencyRecords.storeAll(conn, keys, responses).map(outcomes);
  }
}
