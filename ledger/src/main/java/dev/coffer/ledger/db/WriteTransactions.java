package dev.coffer.ledger.db;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.Refusal;
import dev.coffer.ledger.ReversalRefusal;
import dev.coffer.ledger.SettleRefusal;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Runs writes on the primary in one short transaction each, retries the transient failures
 * (deadlock, serialization) a few times, maps rule violations to {@link LedgerException}, and
 * returns the commit's WAL position as the consistency token.
 */
public final class WriteTransactions {
  private static final Set<String> RETRYABLE = Set.of("40P01", "40001");
  private static final int MAX_ATTEMPTS = 5;
  private static final String WAL_POSITION = "SELECT pg_current_wal_insert_lsn()::text";
  private final Pool primary;
  private final WriteTracing tracing;

  public WriteTransactions(Pool primary) {
    this(primary, WriteTracing.NONE);
  }

  public WriteTransactions(Pool primary, WriteTracing tracing) {
    this.primary = primary;
    this.tracing = tracing;
  }

  /** How writes are traced ({@link WriteTracing#NONE} when tracing is off). */
  public WriteTracing tracing() {
    return tracing;
  }

  /** The primary pool, for single statements that need no transaction. */
  public Pool primary() {
    return primary;
  }

  /**
   * Runs {@code work} in a transaction; its failure rolls everything back. The events it produces
   * keep the caller's trace context, when it is traced.
   */
  public <T> Future<Committed<T>> run(Function<SqlConnection, Future<T>> work) {
    return run(work, tracing.traceparent());
  }

  /**
   * As {@link #run(Function)}, the events keeping {@code traceparent} (null: none) rather than the
   * caller's: for work done for others (a group commit tags each move itself).
   */
  public <T> Future<Committed<T>> run(Function<SqlConnection, Future<T>> work, String traceparent) {
    return attempt(work, traceparent, 1);
  }

  private <T> Future<Committed<T>> attempt(
      Function<SqlConnection, Future<T>> work, String traceparent, int n) {
    return primary
        .withConnection(
            conn -> {
              Future<Transaction> began = conn.begin();
              // The work's first statements are sent right behind BEGIN, without waiting for its
              // answer (the connection pipelines them): inside the transaction all the same. So is
              // the trace context, when there is one, ahead of them.
              Future<Void> tagged =
                  traceparent == null ? null : WriteTracing.tag(conn, traceparent);
              Future<T> worked = work.apply(conn);
              Future<T> done = tagged == null ? worked : tagged.compose(v -> worked);
              return began.compose(
                  tx ->
                      done.compose(
                          value -> {
                            // The position query goes right behind COMMIT (pipelined): the server
                            // runs it after the commit, so the insert position is at or past the
                            // commit record, and the answer costs no round trip of its own.
                            Future<Void> committed = tx.commit();
                            Future<RowSet<Row>> position = conn.query(WAL_POSITION).execute();
                            return committed
                                .compose(v -> position)
                                .map(
                                    rows ->
                                        new Committed<>(
                                            value,
                                            ConsistencyToken.fromPgLsn(
                                                rows.iterator().next().getString(0))));
                          },
                          failure -> tx.rollback().transform(ar -> Future.failedFuture(failure))));
            })
        .recover(
            failure -> {
              if (failure instanceof PgException pg
                  && RETRYABLE.contains(pg.getSqlState())
                  && n < MAX_ATTEMPTS) {
                return attempt(work, traceparent, n + 1);
              }
              return Future.failedFuture(translate(failure));
            });
  }

  /** Turns the database's refusals into the contract's codes; anything else stays as it is. */
  public static Throwable translate(Throwable failure) {
    if (failure instanceof PgException pg) {
      LedgerException refusal =
          refusal(pg.getSqlState(), pg.getErrorMessage(), pg.getConstraint(), pg.getDetail());
      if (refusal != null) {
        return refusal;
      }
      if ("CF001".equals(pg.getSqlState())) {
        return new IllegalStateException("a ledger function raised an unknown code", pg);
      }
    }
    return failure;
  }

  /**
   * The contract's refusal for an error the database reported by its fields (SQLSTATE, message,
   * constraint, detail), or null when it is not one: a bug or an outage, not a refusal.
   */
  private static final Pattern POINTER = Pattern.compile("(legs|require)\\[\\d+\\]");

  public static LedgerException refusal(
      String state, String message, String constraint, String detail) {
    if ("CF001".equals(state)) {
      return ruleRefusal(message, detail);
    }
    if ("23514".equals(state) && "accounts_within_overdraft".equals(constraint)) {
      return new LedgerException(LedgerError.INSUFFICIENT_FUNDS, "insufficient funds");
    }
    if ("23514".equals(state) && "accounts_balance_exact_in_json".equals(constraint)) {
      return new LedgerException(
          LedgerError.AMOUNT_OVERFLOW,
          "an account's balance (with its pending credits) is limited to 2^53 - 1 minor units");
    }
    if ("22003".equals(state)) {
      return new LedgerException(LedgerError.AMOUNT_OVERFLOW, "the result would not fit a balance");
    }
    return null;
  }

  // A rule in a coffer_* function said no: its message is the code, its detail a settle's or a
  // reversal's reason.
  private static LedgerException ruleRefusal(String message, String detail) {
    LedgerError error = LedgerError.ofCode(message);
    if (error == null) {
      return null;
    }
    // A transaction's leg or a condition, by its place in the request; a version lock by account.
    if (detail != null && POINTER.matcher(detail).matches()) {
      return new LedgerException(error, null, error.code(), detail);
    }
    if (error == LedgerError.VERSION_MISMATCH) {
      return new LedgerException(
          error,
          null,
          "account " + detail + " has changed since the version given",
          "ifAccountVersion." + detail);
    }
    Refusal refusal =
        error == LedgerError.TRANSFER_NOT_REVERSIBLE
            ? ReversalRefusal.ofCode(detail)
            : SettleRefusal.ofCode(detail);
    if (refusal == null && detail != null && !detail.isEmpty()) {
      return new LedgerException(error, detail); // words of the function's own (a conversion's)
    }
    return new LedgerException(
        error, refusal, refusal == null ? error.code() : error.code() + ": " + refusal.code());
  }
}
