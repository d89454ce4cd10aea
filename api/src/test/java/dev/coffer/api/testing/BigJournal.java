package dev.coffer.api.testing;

import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.id.Uuids;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A long journal made fast: transfers through the ledger's own function, 100 per round trip (the
 * API would take minutes on the test machine for what is only a test's setup), each with a long
 * description, so that an export of it is far more than the sockets between server and client can
 * hold.
 */
public final class BigJournal {
  private static final String LONG = "x".repeat(380);

  private BigJournal() {}

  /**
   * Moves {@code count} transfers of 1 from {@code payer} to {@code payee}, both of {@code owner}.
   */
  public static void fill(
      LedgerFixture ledger, String owner, String payer, String payee, int count) {
    for (int done = 0; done < count; done += 100) {
      List<Tuple> moves = new ArrayList<>();
      for (int n = done; n < Math.min(count, done + 100); n++) {
        moves.add(
            Tuple.of(
                Uuids.timeOrdered(),
                UUID.fromString(payer),
                UUID.fromString(payee),
                1L,
                UUID.fromString(owner),
                LONG + n));
      }
      LedgerFixture.await(
          ledger
              .pools
              .primary()
              .preparedQuery("SELECT id FROM coffer_move($1, 'transfer', $2, $3, $4, $5, NULL, $6)")
              .executeBatch(moves));
    }
    awaitReplica(ledger);
  }

  /**
   * Waits until the replica has replayed everything the primary has written so far. Exports are
   * read from the replica only, and a replica lagging past the limit (a bulk load replays for a
   * while on a busy machine) refuses them with 503 instead of sending them to the primary.
   */
  public static void awaitReplica(LedgerFixture ledger) {
    String written =
        LedgerFixture.await(
                ledger.pools.primary().query("SELECT pg_current_wal_lsn()::text").execute())
            .iterator()
            .next()
            .getString(0);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      boolean replayed =
          LedgerFixture.await(
                  ledger
                      .pools
                      .replica()
                      .preparedQuery("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn")
                      .execute(Tuple.of(written)))
              .iterator()
              .next()
              .getBoolean(0);
      if (replayed) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the replica has not replayed " + written + " in 2 minutes");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
