package dev.coffer.ledger.db;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.sqlclient.Row;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The journal is range-partitioned by month, with partitions made ahead of time. */
@ExtendWith(LedgerExtension.class)
class EntryPartitionsTest {
  private LedgerFixture ledger;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
  }

  @AfterEach
  void tearDown() {
    ledger.query("DROP TABLE IF EXISTS entries_2099_01, entries_2099_02");
  }

  @Test
  void entriesIsPartitionedAndTheComingMonthsExist() {
    assertThat(
            ledger.query(
                "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'entries'::regclass"))
        .singleElement()
        .satisfies(r -> assertThat(r.getString(0)).isEqualTo("r"));
    LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
    for (int i = 0; i < 3; i++) {
      String name =
          String.format(
              "entries_%04d_%02d",
              month.plusMonths(i).getYear(), month.plusMonths(i).getMonthValue());
      assertThat(ledger.query("SELECT to_regclass('" + name + "')::text").get(0).getString(0))
          .isEqualTo(name);
    }
  }

  @Test
  void aNewMonthsPartitionAppearsAndTakesItsRows() {
    List<Row> created = ledger.query("SELECT coffer_ensure_entry_partitions(DATE '2099-01-15', 2)");
    assertThat(created.get(0).getInteger(0)).isEqualTo(2);
    assertThat(
            ledger
                .query("SELECT coffer_ensure_entry_partitions(DATE '2099-01-15', 2)")
                .get(0)
                .getInteger(0))
        .as("idempotent")
        .isZero();
    List<Row> bounds =
        ledger.query(
            "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE relname = 'entries_2099_02'");
    assertThat(bounds.get(0).getString(0))
        .contains("2099-02-01 00:00:00+00")
        .contains("2099-03-01 00:00:00+00");
    await(
        ledger
            .pools
            .primary()
            .query(
                "INSERT INTO entries (account_id, seq, transfer_id, kind, amount, balance_after, status, created_at)"
                    + " VALUES (gen_random_uuid(), 1, gen_random_uuid(), 'deposit', 1, 1, 'posted', TIMESTAMPTZ '2099-02-10 12:00Z')")
            .execute());
    assertThat(ledger.query("SELECT count(*) FROM entries_2099_02").get(0).getLong(0)).isEqualTo(1);
  }
}
