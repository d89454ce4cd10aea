package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerException;
import io.vertx.pgclient.PgException;
import java.util.Set;

/** How the moves of one group are booked in its transaction (changesets 013 and 014). */
enum GroupBooking {
  /**
   * Each move checked, then booked if accepted: no subtransactions (so no MultiXacts on the rows
   * they update), but any error that is not a refusal fails the whole group.
   */
  AT_ONCE("coffer_book_group_at_once"),
  /** Each move in its own subtransaction: a move that fails in any way is undone alone. */
  MOVE_BY_MOVE("coffer_book_group");

  // Errors one move can cause: data exceptions (an overflow), integrity constraints (the balance
  // cap), an error raised by a function, a rule's code. Anything else (a deadlock, resources, a
  // lost connection, a lock not available) would fail a second try the same way.
  private static final Set<String> ABOUT_A_MOVE = Set.of("22", "23", "P0", "CF");

  final String sql;

  GroupBooking(String function) {
    this.sql =
        "SELECT item, error_code, error_message, error_constraint, error_detail FROM "
            + function
            + "($1, $2, $3, $4, $5, $6, $7, $8, $9::text[]::jsonb[], $10::text[]::jsonb[])";
  }

  /**
   * Whether a group that failed {@link #AT_ONCE} should be booked again {@link #MOVE_BY_MOVE}: the
   * failure came from one of its moves (a constraint, an overflow, an unexpected raise), which that
   * way fails alone.
   */
  static boolean failedOnAMove(Throwable failure) {
    if (failure instanceof LedgerException) {
      return true; // a constraint or an overflow, translated (WriteTransactions.translate)
    }
    // An unknown rule code comes back translated as an IllegalStateException around it.
    Throwable pg =
        failure instanceof IllegalStateException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return pg instanceof PgException e
        && e.getSqlState() != null
        && e.getSqlState().length() == 5
        && ABOUT_A_MOVE.contains(e.getSqlState().substring(0, 2));
  }
}
