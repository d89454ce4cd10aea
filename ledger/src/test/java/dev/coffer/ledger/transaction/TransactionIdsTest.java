package dev.coffer.ledger.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TransactionIdsTest {

  @Test
  void noLegSharesItsTransactionsIdAndLegsSortInOrderBeforeIt() {
    for (int round = 0; round < 10_000; round++) {
      UUID transaction = TransactionSql.newTransactionId();
      assertThat(transaction.version()).isEqualTo(7);
      List<UUID> ids = new ArrayList<>();
      for (int leg = 0; leg < 100; leg++) {
        UUID id = TransactionSql.legId(transaction, leg);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        ids.add(id);
      }
      ids.add(transaction);
      // Sorted as PostgreSQL sorts uuids: unsigned, byte by byte.
      assertThat(ids).isSortedAccordingTo(TransactionIdsTest::unsigned).doesNotHaveDuplicates();
    }
  }

  private static int unsigned(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0
        ? high
        : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }
}
