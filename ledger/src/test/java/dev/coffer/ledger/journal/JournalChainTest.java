package dev.coffer.ledger.journal;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.transfer.TransferRequest;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The database chains every entry as docs/ledger.md says, and a change behind its back shows. */
@ExtendWith(LedgerExtension.class)
class JournalChainTest {

  @Test
  void theDatabaseChainsEntriesExactlyAsTheDocumentedEncodingSays(LedgerFixture ledger) {
    UUID owner = ledger.newUser();
    UUID a = ledger.openAccount(owner, "EUR", 0);
    UUID b = ledger.openAccount(owner, "EUR", 0);
    ledger.deposit(owner, a, 1_000);
    // Separators, quotes, a newline and non-ASCII text are bytes like any others to the encoding.
    await(
        ledger.transfers.move(
            owner, TransferRequest.transfer(a, b, 250, "rent, \"May\"\nnaïve €")));
    await(ledger.transfers.move(owner, TransferRequest.transfer(a, b, 5, null)));

    byte[] previous = null;
    List<Row> rows =
        ledger.query("SELECT * FROM entries WHERE account_id = '" + a + "' ORDER BY seq");
    assertThat(rows).hasSize(3);
    for (Row row : rows) {
      byte[] expected = JournalHash.of(previous, fields(row));
      assertThat(JournalHash.hex(row.getBuffer("hash").getBytes()))
          .as("seq %d", row.getLong("seq"))
          .isEqualTo(JournalHash.hex(expected));
      previous = expected;
    }

    JournalVerification verdict = await(ledger.journal.verify(owner, a, ConsistencyToken.LATEST));
    assertThat(verdict.holds()).isTrue();
    assertThat(verdict.entries()).isEqualTo(3);
    assertThat(verdict.lastHash()).isEqualTo(JournalHash.hex(previous));
    ledger.assertInvariants();
  }

  @Test
  void anEntryChangedBehindTheLedgersBackBreaksTheChainThere(LedgerFixture ledger) {
    UUID owner = ledger.newUser();
    UUID a = ledger.openAccount(owner, "EUR", 0);
    for (int i = 0; i < 5; i++) {
      ledger.deposit(owner, a, 100);
    }
    String where = " WHERE account_id = '" + a + "' AND seq = 3";
    String storedHash =
        JournalHash.hex(
            ledger.query("SELECT hash FROM entries" + where).get(0).getBuffer(0).getBytes());
    ledger.query("UPDATE entries SET amount = 1000000" + where);
    try {
      JournalVerification verdict = await(ledger.journal.verify(owner, a, ConsistencyToken.LATEST));
      assertThat(verdict.holds()).isFalse();
      assertThat(verdict.entries()).isEqualTo(2);
      assertThat(verdict.firstBreak().seq()).isEqualTo(3);
      assertThat(verdict.firstBreak().reason()).isEqualTo("hash-mismatch");
      assertThat(verdict.firstBreak().storedHash()).isEqualTo(storedHash);
      assertThat(verdict.firstBreak().expectedHash()).isNotEqualTo(storedHash);
      JournalVerifier.Audit audit =
          await(
              new JournalVerifier(
                      new ReadRouter(
                          ledger.pools.primary(), ledger.pools.primary(), Duration.ofSeconds(5)))
                  .auditRecent(Duration.ofMinutes(10)));
      assertThat(audit.broken()).isGreaterThanOrEqualTo(1);
    } finally {
      ledger.query("UPDATE entries SET amount = 100" + where);
    }
    assertThat(await(ledger.journal.verify(owner, a, ConsistencyToken.LATEST)).holds()).isTrue();
  }

  @Test
  void aHashRecomputedByTheTampererBreaksTheNextLinkAndARemovedLastEntryIsMissing(
      LedgerFixture ledger) {
    UUID owner = ledger.newUser();
    UUID a = ledger.openAccount(owner, "EUR", 0);
    for (int i = 0; i < 4; i++) {
      ledger.deposit(owner, a, 100);
    }
    String seq2 = " WHERE account_id = '" + a + "' AND seq = 2";
    Row original = ledger.query("SELECT amount, hash FROM entries" + seq2).get(0);
    // The tamperer changes entry 2 and gives it the hash its new fields chain to.
    ledger.query(
        "UPDATE entries e SET amount = 7, hash = coffer_entry_hash((SELECT hash FROM entries p"
            + " WHERE p.account_id = e.account_id AND p.seq = 1), e.account_id, e.seq,"
            + " e.transfer_id, e.kind, 7, e.balance_after, e.counterparty_account_id, e.status,"
            + " e.description, e.created_at)"
            + seq2);
    try {
      JournalVerification verdict = await(ledger.journal.verify(owner, a, ConsistencyToken.LATEST));
      assertThat(verdict.firstBreak().seq()).isEqualTo(3);
      assertThat(verdict.firstBreak().reason()).isEqualTo("hash-mismatch");
    } finally {
      ledger.query(
          "UPDATE entries SET amount = "
              + original.getLong("amount")
              + ", hash = '\\x"
              + JournalHash.hex(original.getBuffer("hash").getBytes())
              + "'"
              + seq2);
    }
    assertThat(await(ledger.journal.verify(owner, a, ConsistencyToken.LATEST)).holds()).isTrue();

    // The last entry removed: the account still records seq 4.
    String seq4 = " WHERE account_id = '" + a + "' AND seq = 4";
    // Every column as it was, whatever columns later changesets add.
    String last =
        ledger.query("SELECT to_jsonb(e)::text FROM entries e" + seq4).get(0).getString(0);
    ledger.query("DELETE FROM entries" + seq4);
    try {
      JournalVerification verdict = await(ledger.journal.verify(owner, a, ConsistencyToken.LATEST));
      assertThat(verdict.firstBreak().reason()).isEqualTo("missing-entry");
      assertThat(verdict.firstBreak().seq()).isEqualTo(4);
      assertThat(verdict.entries()).isEqualTo(3);
    } finally {
      await(
          ledger
              .pools
              .primary()
              .preparedQuery(
                  "INSERT INTO entries SELECT * FROM jsonb_populate_record(NULL::entries, CAST($1::text AS jsonb))")
              .execute(io.vertx.sqlclient.Tuple.of(last)));
    }
    ledger.assertInvariants();
  }

  private static JournalHash.Fields fields(Row row) {
    return new JournalHash.Fields(
        row.getUUID("account_id"),
        row.getLong("seq"),
        row.getUUID("transfer_id"),
        row.getString("kind"),
        row.getLong("amount"),
        row.getLong("balance_after"),
        row.getUUID("counterparty_account_id"),
        row.getString("status"),
        row.getString("description"),
        row.getOffsetDateTime("created_at"));
  }
}
