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

  // Errors about the transaction or the server, not about one move: booking move by move would
  // fail the same way (deadlock and serialization, resources, shutdown, I/O, internal).
  private static final Set<String> NOT_ABOUT_A_MOVE = Set.of("40", "53", "57", "58", "XX");

  final String sql;

  GroupBooking(String function) {
    this.sql =
        "SELECT item, error_code, error_message, error_constraint, error_detail FROM "
            + function
            + "($1, $2, $3, $4, $5, $6, $7, $8, $9::text[]::jsonb[])";
  }

  /**
   * Whether a group that failed {@link #AT_ONCE} should be booked again {@link #MOVE_BY_MOVE}: the
   * failure came from one of its moves (a constraint, an overflow), which that way fails alone.
   */
  static boolean failedOnAMove(Throwable failure) {
    if (failure instanceof LedgerException) {
      return true;
    }
    return failure instanceof PgException pg
        && pg.getSqlState() != null
        && pg.getSqlState().length() == 5
        && !NOT_ABOUT_A_MOVE.contains(pg.getSqlState().substring(0, 2));
  }
}
