package dev.coffer.ledger.db;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.db.WriteTransactions.Finished;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A transaction whose COMMIT goes out behind its last statement, unanswered. */
@ExtendWith(LedgerExtension.class)
class WriteTransactionsTest {
  private static final String INSERT = "INSERT INTO write_transactions_probe VALUES ($1)";
  private LedgerFixture ledger;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    ledger.query("CREATE TABLE IF NOT EXISTS write_transactions_probe (n int PRIMARY KEY)");
    ledger.query("TRUNCATE write_transactions_probe");
  }

  @AfterEach
  void tearDown() {
    ledger.query("DROP TABLE IF EXISTS write_transactions_probe");
  }

  @Test
  void aLastStatementThatSucceedsIsCommittedWithItsPosition() {
    Committed<String> committed =
        await(
            ledger.writes.runEndingWith(
                conn ->
                    conn.preparedQuery(INSERT)
                        .execute(Tuple.of(1))
                        .map(
                            first ->
                                new Finished<>(
                                    "done", conn.preparedQuery(INSERT).execute(Tuple.of(2))))));

    assertThat(committed.value()).isEqualTo("done");
    assertThat(committed.token().lsn()).isPositive();
    assertThat(probe()).isEqualTo(2);
  }

  @Test
  void aLastStatementTheServerRefusesRollsBackEverythingAndIsTheAnswer() {
    assertThatThrownBy(
            () ->
                await(
                    ledger.writes.runEndingWith(
                        conn ->
                            conn.preparedQuery(INSERT)
                                .execute(Tuple.of(1))
                                .map(
                                    first ->
                                        new Finished<>(
                                            "done",
                                            // the same key again: a unique violation
                                            conn.preparedQuery(INSERT).execute(Tuple.of(1)))))))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("duplicate key");

    assertThat(probe()).as("the first insert was rolled back with the COMMIT").isZero();
    assertNoConnectionLeftInATransaction();
  }

  @Test
  void aFailureBeforeTheLastStatementRollsBackAndReturnsACleanConnection() {
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(
              () ->
                  await(
                      ledger.writes.run(
                          conn ->
                              conn.preparedQuery(INSERT)
                                  .execute(Tuple.of(1))
                                  .compose(
                                      first -> conn.preparedQuery(INSERT).execute(Tuple.of(1))))))
          .isInstanceOf(PgException.class);
    }

    assertThat(probe()).isZero();
    assertNoConnectionLeftInATransaction();
    await(ledger.writes.run(conn -> conn.preparedQuery(INSERT).execute(Tuple.of(3))));
    assertThat(probe()).isEqualTo(1);
  }

  @Test
  void aLastStatementTheClientRefusesIsReportedAsABugNotAsARefusal() {
    // A parameter of the wrong type never reaches the server, so the transaction is not aborted
    // and its COMMIT commits: the answer must not pass for the statement's own failure.
    assertThatThrownBy(
            () ->
                await(
                    ledger.writes.runEndingWith(
                        conn ->
                            conn.preparedQuery(INSERT)
                                .execute(Tuple.of(1))
                                .map(
                                    first ->
                                        new Finished<>(
                                            "done",
                                            conn.preparedQuery(INSERT)
                                                .execute(Tuple.of("not a number")))))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("COMMIT was answered");
    assertNoConnectionLeftInATransaction();
  }

  private int probe() {
    return ledger.query("SELECT count(*)::int FROM write_transactions_probe").get(0).getInteger(0);
  }

  private void assertNoConnectionLeftInATransaction() {
    assertThat(
            ledger
                .query(
                    "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND state LIKE 'idle in transaction%'")
                .get(0)
                .getInteger(0))
        .isZero();
  }
}
