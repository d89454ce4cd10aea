package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.entry.Entry;
import dev.coffer.ledger.transfer.TransferKind;
import dev.coffer.ledger.transfer.TransferStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Entry pages: newest first, with no gap or duplicate while new entries arrive. */
@ExtendWith(LedgerExtension.class)
class EntryPagesTest {
  private LedgerFixture ledger;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
  }

  @Test
  void pagingWhileEntriesArriveNeitherSkipsNorRepeats() {
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "JPY", 0);
    for (int i = 0; i < 25; i++) {
      ledger.deposit(owner, account, 1);
    }
    List<Long> seen = new ArrayList<>();
    Long cursor = null;
    while (true) {
      List<Entry> page =
          await(ledger.entries.page(owner, account, cursor, 7, ConsistencyToken.LATEST));
      page.forEach(e -> seen.add(e.seq()));
      // New money arrives between pages: it lands ahead of the first page, never inside the walk.
      ledger.deposit(owner, account, 1);
      if (page.size() < 7) {
        break;
      }
      cursor = page.get(page.size() - 1).seq();
    }
    List<Long> expected = new ArrayList<>();
    for (long s = 25; s >= 1; s--) {
      expected.add(s);
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void aStrangersAccountHasNoEntriesPage() {
    UUID owner = ledger.newUser();
    UUID account = ledger.openAccount(owner, "JPY", 0);
    ledger.deposit(owner, account, 5);
    assertThat(await(ledger.entries.page(owner, account, null, 10, ConsistencyToken.LATEST)))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(TransferKind.DEPOSIT);
              assertThat(e.amount()).isEqualTo(5);
              assertThat(e.balanceAfter()).isEqualTo(5);
              assertThat(e.status()).isEqualTo(TransferStatus.POSTED);
              assertThat(e.counterpartyAccountId()).isNotNull();
            });
    UUID stranger = ledger.newUser();
    assertThat(
            ledger
                .entries
                .page(stranger, account, null, 10, ConsistencyToken.LATEST)
                .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
                .await())
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.code()).isEqualTo("not-found"));
  }
}
