package dev.coffer.ledger.transfer;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 27, finding 5: a transfer list filtered by a rare status read every transfer of the
 * account's history and filtered all but a few out. The planner's own count of the rows it read and
 * threw away must stay within a page per account side, whatever the history's length.
 */
@ExtendWith(LedgerExtension.class)
class TransferListBoundTest {
  private static final int HISTORY = 3_000;
  private static final int PAGE = 20;

  @Test
  void aStatusFilterReadsAboutAPageNotTheHistory(LedgerFixture ledger) {
    UUID owner = ledger.newUser();
    UUID payer = ledger.openAccount(owner, "EUR", 0);
    UUID payee = ledger.openAccount(owner, "EUR", 0);
    ledger.deposit(owner, payer, 1_000_000);
    List<UUID> voided = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      UUID pending =
          await(
                  ledger.transfers.move(
                      owner, TransferRequest.pending(payer, payee, 1, null, Duration.ofHours(1))))
              .value()
              .id();
      await(ledger.transfers.settle(owner, pending, TransferStatus.VOIDED));
      voided.add(pending);
    }
    // Then a long history of posted transfers, newer than every voided one.
    for (int done = 0; done < HISTORY; done += 100) {
      List<Tuple> moves = new ArrayList<>();
      for (int n = 0; n < 100; n++) {
        moves.add(Tuple.of(Uuids.timeOrdered(), payer, payee, 1L, owner, null));
      }
      await(
          ledger
              .pools
              .primary()
              .preparedQuery("SELECT id FROM coffer_move($1, 'transfer', $2, $3, $4, $5, NULL, $6)")
              .executeBatch(moves));
    }
    await(ledger.writes.primary().query("ANALYZE transfers").execute());

    for (TransferStatus status :
        new TransferStatus[] {TransferStatus.VOIDED, TransferStatus.EXPIRED}) {
      TransferFilter filter = new TransferFilter(null, null, status, null, null, null, null);
      Object explained =
          await(
                  ledger
                      .writes
                      .primary()
                      .preparedQuery(
                          "EXPLAIN (ANALYZE, FORMAT JSON) " + TransferSql.pageStatement(filter))
                      .execute(TransferSql.pageArgs(owner, filter, null, PAGE)))
              .iterator()
              .next()
              .getValue(0);
      JsonArray plan =
          explained instanceof JsonArray a ? a : new JsonArray(String.valueOf(explained));
      long thrownAway = removedByFilter(plan.getJsonObject(0).getJsonObject("Plan"));
      assertThat(thrownAway)
          .as("rows read and filtered out for status=%s: %s", status.wire(), plan.encode())
          .isLessThanOrEqualTo(4L * PAGE);
    }

    // And the page is the right one.
    List<Transfer> page =
        await(
            ledger.transfers.page(
                owner,
                new TransferFilter(null, null, TransferStatus.VOIDED, null, null, null, null),
                null,
                PAGE,
                ConsistencyToken.LATEST));
    Collections.reverse(voided);
    assertThat(page.stream().map(Transfer::id).toList()).containsExactlyElementsOf(voided);
  }

  // Every node's "Rows Removed by Filter" (and by a join's filter), times the node's loops.
  private static long removedByFilter(JsonObject node) {
    long loops = node.getLong("Actual Loops", 1L);
    long removed =
        (node.getLong("Rows Removed by Filter", 0L)
                + node.getLong("Rows Removed by Join Filter", 0L))
            * loops;
    JsonArray children = node.getJsonArray("Plans");
    if (children != null) {
      for (int i = 0; i < children.size(); i++) {
        removed += removedByFilter(children.getJsonObject(i));
      }
    }
    return removed;
  }
}
