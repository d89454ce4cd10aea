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
import java.util.Set;
import java.util.function.Function;

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

  public WriteTransactions(Pool primary) {
    this.primary = primary;
  }

  /** The primary pool, for single statements that need no transaction. */
  public Pool primary() {
    return primary;
  }

  /** Runs {@code work} in a transaction; its failure rolls everything back. */
  public <T> Future<Committed<T>> run(Function<SqlConnection, Future<T>> work) {
    return runEndingWith(conn -> work.apply(conn).map(Finished::now));
  }

  /**
   * Runs {@code work} in a transaction whose COMMIT goes out right behind the work's last
   * statement, without waiting for its answer: one round trip less while the transaction holds its
   * row locks. If that statement fails, the server has already turned the COMMIT into a ROLLBACK,
   * and the statement's failure is the answer.
   */
  public <T> Future<Committed<T>> runEndingWith(Function<SqlConnection, Future<Finished<T>>> work) {
    return attempt(work, 1);
  }

  /**
   * What a transaction's work computed, and its last statement, sent on the transaction's
   * connection but maybe not answered yet.
   */
  public record Finished<T>(T value, Future<?> lastStatement) {
    /** Work whose statements have all been answered. */
    public static <T> Finished<T> now(T value) {
      return new Finished<>(value, Future.succeededFuture());
    }
  }

  private <T> Future<Committed<T>> attempt(
      Function<SqlConnection, Future<Finished<T>>> work, int n) {
    return primary
        .withConnection(
            conn -> {
              // Plain BEGIN and COMMIT rather than the client's Transaction, which holds COMMIT
              // back until every statement is answered. The work's first statements are sent right
              // behind BEGIN (the connection pipelines them): inside the transaction all the same.
              Future<RowSet<Row>> began = conn.query("BEGIN").execute();
              Future<Finished<T>> done = work.apply(conn);
              return began
                  .compose(ignored -> done)
                  .compose(
                      finished -> commit(conn, finished),
                      failure -> rollback(conn).transform(ar -> Future.failedFuture(failure)));
            })
        .recover(
            failure -> {
              if (failure instanceof PgException pg
                  && RETRYABLE.contains(pg.getSqlState())
                  && n < MAX_ATTEMPTS) {
                return attempt(work, n + 1);
              }
              return Future.failedFuture(translate(failure));
            });
  }

  private static <T> Future<Committed<T>> commit(SqlConnection conn, Finished<T> finished) {
    // The position query goes right behind COMMIT (pipelined): the server runs it after the
    // commit, so the insert position is at or past the commit record, and the answer costs no
    // round trip of its own.
    Future<RowSet<Row>> committed = conn.query("COMMIT").execute();
    Future<RowSet<Row>> position = conn.query(WAL_POSITION).execute();
    return finished
        .lastStatement()
        .transform(
            last -> {
              if (last.failed() && last.cause() instanceof PgException) {
                // The server refused the statement and so aborted the transaction: it ran the
                // COMMIT as a ROLLBACK.
                return committed.transform(ignored -> Future.failedFuture(last.cause()));
              }
              if (last.failed()) {
                // Refused by the client before it reached the server (a parameter of the wrong
                // type: a bug, which every test of the path would show), or lost with the
                // connection. Either way the COMMIT's fate is not the statement's: say so.
                return committed.transform(
                    ar ->
                        Future.failedFuture(
                            new IllegalStateException(
                                "a transaction's last statement failed outside the server; its"
                                    + " COMMIT "
                                    + (ar.succeeded() ? "was answered" : "failed too"),
                                last.cause())));
              }
              return committed
                  .compose(ignored -> position)
                  .map(
                      rows ->
                          new Committed<>(
                              finished.value(),
                              ConsistencyToken.fromPgLsn(rows.iterator().next().getString(0))));
            });
  }

  // Before the connection goes back to the pool. A failed ROLLBACK means a broken connection,
  // which the pool drops.
  private static Future<?> rollback(SqlConnection conn) {
    return conn.query("ROLLBACK").execute();
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
    Refusal refusal =
        error == LedgerError.TRANSFER_NOT_REVERSIBLE
            ? ReversalRefusal.ofCode(detail)
            : SettleRefusal.ofCode(detail);
    return new LedgerException(
        error, refusal, refusal == null ? error.code() : error.code() + ": " + refusal.code());
  }
}
