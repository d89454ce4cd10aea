package dev.coffer.api.recovery;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.journal.JournalVerification;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.testkit.StackSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The restore drill: money moves on the HA stack, a time is noted, more money moves; the backups
 * (pgBackRest: a full backup, then WAL archived continuously) are restored to that time into a new
 * server, where exactly the transfers before it exist, balances are what they were then, every
 * account's hash chain verifies, and the ledger's invariants hold.
 */
class PointInTimeRestoreTest {
  private static final int ACCOUNTS = 4;

  @Test
  void aRestoreToATimeHoldsExactlyTheTransfersBeforeIt() throws Exception {
    TestStack stack = TestStack.ha();
    stack.script("backup", "full");
    // A restore to a time starts from a backup that had ended before it, and pgBackRest records
    // when a backup ended in whole seconds: the drill's time must not fall in the same second.
    Thread.sleep(2000);
    Vertx vertx = Vertx.vertx();
    try (LedgerFixture live = new LedgerFixture(vertx, stack.settings())) {
      UUID owner = live.newUser();
      List<UUID> accounts = new ArrayList<>();
      for (int i = 0; i < ACCOUNTS; i++) {
        UUID account = live.openAccount(owner, "EUR", 0);
        live.deposit(owner, account, 100_000);
        accounts.add(account);
      }
      Set<UUID> before = move(live, owner, accounts, 40);
      Map<UUID, Long> balancesBefore = balances(live, owner, accounts);
      String target =
          live.query(
                  "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                      + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
              .get(0)
              .getString(0);
      Thread.sleep(300); // the target lies between the two groups of commits, never on one
      Set<UUID> after = move(live, owner, accounts, 40);
      assertThat(balances(live, owner, accounts)).isNotEqualTo(balancesBefore);

      StackSettings restored = restoredSettings(stack.script("restore", "--to", target));
      // A Vert.x of its own: pools are shared by name within one, and would reach the live primary.
      Vertx restoredVertx = Vertx.vertx();
      try (LedgerFixture old = new LedgerFixture(restoredVertx, restored)) {
        Set<UUID> present =
            old
                .query(
                    "SELECT id FROM transfers WHERE from_account_id IN ("
                        + inList(accounts)
                        + ") OR to_account_id IN ("
                        + inList(accounts)
                        + ")")
                .stream()
                .map(row -> row.getUUID(0))
                .collect(Collectors.toSet());
        assertThat(present).as("every transfer before the target").containsAll(before);
        assertThat(present).as("no transfer after the target").doesNotContainAnyElementsOf(after);
        assertThat(balances(old, owner, accounts)).isEqualTo(balancesBefore);
        for (UUID account : accounts) {
          JournalVerification chain =
              await(old.journal.verify(owner, account, ConsistencyToken.LATEST));
          assertThat(chain.holds()).as("hash chain of " + account + ": " + chain).isTrue();
          assertThat(chain.entries()).isEqualTo(chain.lastSeq());
        }
        old.assertInvariants();
      } finally {
        stack.script("stop", "restored");
        restoredVertx.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  // Transfers around the ring of accounts, each committed on its own.
  private static Set<UUID> move(LedgerFixture ledger, UUID owner, List<UUID> accounts, int count) {
    Set<UUID> ids = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      UUID from = accounts.get(i % accounts.size());
      UUID to = accounts.get((i + 1) % accounts.size());
      Transfer transfer =
          await(ledger.transfers.move(owner, TransferRequest.transfer(from, to, 100 + i, "drill")))
              .value();
      ids.add(transfer.id());
    }
    return ids;
  }

  private static Map<UUID, Long> balances(LedgerFixture ledger, UUID owner, List<UUID> accounts) {
    Map<UUID, Long> balances = new HashMap<>();
    for (UUID account : accounts) {
      balances.put(
          account, await(ledger.balances.now(owner, account, ConsistencyToken.LATEST)).balance());
    }
    return balances;
  }

  private static String inList(List<UUID> ids) {
    return ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
  }

  // restore prints the restored server's COFFER_PG_PRIMARY and COFFER_PG_REPLICA; Redis is the
  // stack's (the ledger fixture needs none).
  private static StackSettings restoredSettings(String output) {
    Map<String, String> env = new HashMap<>();
    output
        .lines()
        .filter(line -> line.startsWith("COFFER_PG_"))
        .forEach(
            line ->
                env.put(
                    line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
    assertThat(env)
        .as("restore's output: " + output)
        .containsKeys("COFFER_PG_PRIMARY", "COFFER_PG_REPLICA");
    env.put("COFFER_REDIS_NODES", "redis://127.0.0.1:1");
    return StackSettings.fromEnvironment(env);
  }
}
