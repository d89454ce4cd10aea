package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.transfer.TransferRequest;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One user's money can never exhaust a range other users share: settlement shards keep 2^62 of
 * headroom (a full one hands over to the next in its lane), and a user account's balance stays
 * within 2^53 - 1, exact in JavaScript.
 */
@ExtendWith(LedgerExtension.class)
class SettlementShardTest {
  private static final long MAX_BALANCE = 9_007_199_254_740_991L; // 2^53 - 1
  private static final long MAX_AMOUNT = 1_000_000_000_000_000L; // 10^15
  private static final long HEADROOM = 1L << 62;

  private LedgerFixture ledger;
  private UUID owner;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    owner = ledger.newUser();
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  private static String code(Throwable t) {
    return t instanceof LedgerException le ? le.code() : String.valueOf(t);
  }

  @Test
  void aUserAccountsBalanceStaysExactInJavaScript() {
    UUID account = ledger.openAccount(owner, "EUR", 0);
    for (int i = 0; i < 9; i++) {
      ledger.deposit(owner, account, MAX_AMOUNT);
    }
    ledger.deposit(owner, account, MAX_BALANCE - 9 * MAX_AMOUNT); // exactly the cap
    assertThatThrownBy(() -> ledger.deposit(owner, account, 1))
        .satisfies(e -> assertThat(code(e)).isEqualTo("amount-overflow"));

    // Pending credits count too: posting them must never be what breaks the cap.
    UUID other = ledger.openAccount(owner, "EUR", 0);
    ledger.deposit(owner, other, 10);
    UUID receiving = ledger.openAccount(owner, "EUR", 0);
    for (int i = 0; i < 9; i++) {
      ledger.deposit(owner, receiving, MAX_AMOUNT);
    }
    ledger.deposit(owner, receiving, MAX_BALANCE - 9 * MAX_AMOUNT - 5);
    assertThatThrownBy(
            () ->
                await(
                    ledger.transfers.move(
                        owner,
                        TransferRequest.pending(other, receiving, 6, null, Duration.ofMinutes(1)))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("amount-overflow"));
  }

  @Test
  void aFullSettlementShardHandsOverAndOtherUsersDepositsStillWork() {
    // ISO 4217's code for testing, which nothing else here uses. Runs add up on a kept stack:
    // each fills the lane further, and the assertions hold at any fill.
    String currency = "XTS";
    // 520 accounts in lane 0, each filled to 9 * 10^15 by deposits of 10^15: 4.68 * 10^18 in all,
    // past one shard's 2^62 of headroom. Server-side, so that 4,680 deposits take seconds.
    ledger.query(
        "DO $$ DECLARE acc uuid; n int := 0; BEGIN"
            + " WHILE n < 520 LOOP acc := gen_random_uuid();"
            + "  IF abs(hashtext(acc::text)) % 8 = 0 THEN"
            + "   INSERT INTO accounts (id, owner_id, name, currency)"
            + "    VALUES (acc, '"
            + owner
            + "', 'filler', '"
            + currency
            + "');"
            + "   FOR i IN 1..9 LOOP PERFORM coffer_move(gen_random_uuid(), 'deposit', NULL, acc,"
            + "    1000000000000000, '"
            + owner
            + "', NULL, 'fill'); END LOOP;"
            + "   n := n + 1; END IF; END LOOP; END $$");
    List<Row> shards =
        ledger.query(
            "SELECT settlement_shard, balance FROM accounts WHERE kind = 'settlement'"
                + " AND currency = '"
                + currency
                + "' ORDER BY settlement_shard");
    assertThat(shards).extracting(r -> r.getInteger(0)).contains(0, 8);
    for (Row shard : shards) {
      assertThat(Math.abs(shard.getLong(1)))
          .as("shard " + shard.getInteger(0))
          .isLessThanOrEqualTo(HEADROOM + MAX_AMOUNT);
    }

    // Another user's account in the same lane still takes deposits.
    UUID other = ledger.newUser();
    UUID account;
    do {
      account = ledger.openAccount(other, currency, 0);
    } while (Math.abs(
                ledger.query("SELECT hashtext('" + account + "')").get(0).getInteger(0).longValue())
            % 8
        != 0);
    ledger.deposit(other, account, MAX_AMOUNT);
    assertThat(
            ledger
                .query("SELECT balance FROM accounts WHERE id = '" + account + "'")
                .get(0)
                .getLong(0))
        .isEqualTo(MAX_AMOUNT);
  }
}
