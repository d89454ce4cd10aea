package dev.coffer.ledger.db;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.Refusal;
import dev.coffer.ledger.ReversalRefusal;
import dev.coffer.ledger.SettleRefusal;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
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
    return attempt(work, 1);
  }

  private <T> Future<Committed<T>> attempt(Function<SqlConnection, Future<T>> work, int n) {
    return primary
        .withConnection(
            conn -> {
              Future<Transaction> began = conn.begin();
              // The work's first statements are sent right behind BEGIN, without waiting for its
              // answer (the connection pipelines them): inside the transaction all the same.
              Future<T> done = work.apply(conn);
              return began
                  .compose(
                      tx ->
                          done.compose(
                              value -> tx.commit().map(value),
                              failure ->
                                  tx.rollback().transform(ar -> Future.failedFuture(failure))))
                  // After commit: the insert position is at or past this transaction's commit
                  // record.
                  .compose(
                      value ->
                          conn.query("SELECT pg_current_wal_insert_lsn()::text")
                              .execute()
                              .map(
                                  rows ->
                                      new Committed<>(
                                          value,
                                          ConsistencyToken.fromPgLsn(
                                              rows.iterator().next().getString(0)))));
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

  /** Turns the database's refusals into the contract's codes; anything else stays as it is. */
  public static Throwable translate(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState();
      if ("CF001".equals(state)) {
        return ruleRefusal(pg);
      }
      if ("23514".equals(state)
          && String.valueOf(pg.getConstraint()).equals("accounts_within_overdraft")) {
        return new LedgerException(LedgerError.INSUFFICIENT_FUNDS, "insufficient funds");
      }
      if ("23514".equals(state)
          && String.valueOf(pg.getConstraint()).equals("accounts_balance_exact_in_json")) {
        return new LedgerException(
            LedgerError.AMOUNT_OVERFLOW,
            "an account's balance (with its pending credits) is limited to 2^53 - 1 minor units");
      }
      if ("22003".equals(state)) {
        return new LedgerException(
            LedgerError.AMOUNT_OVERFLOW, "the result would not fit a balance");
      }
    }
    return failure;
  }

  // A rule in a coffer_* function said no: its message is the code, its detail a settle's or a
  // reversal's reason.
  private static Throwable ruleRefusal(PgException pg) {
    LedgerError error = LedgerError.ofCode(pg.getErrorMessage());
    if (error == null) {
      return new IllegalStateException("a ledger function raised an unknown code", pg);
    }
    Refusal refusal =
        error == LedgerError.TRANSFER_NOT_REVERSIBLE
            ? ReversalRefusal.ofCode(pg.getDetail())
            : SettleRefusal.ofCode(pg.getDetail());
    return new LedgerException(
        error, refusal, refusal == null ? error.code() : error.code() + ": " + refusal.code());
  }
}
