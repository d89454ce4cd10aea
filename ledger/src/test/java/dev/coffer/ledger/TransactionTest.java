package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.transaction.Leg;
import dev.coffer.ledger.transaction.Transaction;
import dev.coffer.ledger.transaction.TransactionRequest;
import dev.coffer.ledger.transaction.TransactionService;
import dev.coffer.ledger.transfer.Terms;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Transactions of many legs: all or none, in order, idempotent, racing plain transfers. */
@ExtendWith(LedgerExtension.class)
class TransactionTest {
  private LedgerFixture ledger;
  private TransactionService transactions;
  private UUID payer;
  private UUID payee;
  private UUID payerAccount;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    transactions = new TransactionService(ledger.writes, ledger.reads);
    payer = ledger.newUser();
    payee = ledger.newUser();
    payerAccount = ledger.openAccount(payer, "EUR", 0);
    ledger.deposit(payer, payerAccount, 10_000);
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  @Test
  void legsAreBookedInOrderUnderOneIdAndALaterLegSeesAnEarlierOne() {
    UUID middle = ledger.openAccount(payer, "EUR", 0);
    UUID shop = ledger.openAccount(payee, "EUR", 0);
    UUID fees = ledger.openAccount(payee, "EUR", 0);
    Transaction t =
        await(
                transactions.book(
                    payer,
                    request(
                        new Leg(payerAccount, middle, 3_000, "fund", Map.of("n", "1")),
                        // middle had nothing before: it pays from what the first leg gave it.
                        new Leg(middle, shop, 2_500, null, Map.of()),
                        new Leg(middle, fees, 500, "fee", Map.of()))))
            .value();
    assertThat(t.legs()).extracting(Transfer::amount).containsExactly(3_000L, 2_500L, 500L);
    assertThat(t.legs()).allSatisfy(leg -> assertThat(leg.transactionId()).isEqualTo(t.id()));
    assertThat(t.legs().get(0).metadata()).containsEntry("n", "1");
    assertThat(balance(payer, middle)).isZero();
    assertThat(balance(payee, shop)).isEqualTo(2_500);
    assertThat(balance(payee, fees)).isEqualTo(500);
    Transaction read = await(transactions.get(payer, t.id(), ConsistencyToken.LATEST));
    assertThat(read.legs())
        .extracting(Transfer::id)
        .containsExactlyElementsOf(t.legs().stream().map(Transfer::id).toList());
    assertThatThrownBy(() -> await(transactions.get(payee, t.id(), ConsistencyToken.LATEST)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("not-found"));
    List<Row> events =
        ledger.query(
            "SELECT type, jsonb_array_length(data->'legs') FROM events WHERE transfer_id = '"
                + t.id()
                + "'");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString(0)).isEqualTo("transaction.created");
    assertThat(events.get(0).getInteger(1)).isEqualTo(3);
    assertThat(await(transactions.page(payer, null, 10, ConsistencyToken.LATEST)))
        .extracting(Transaction::id)
        .contains(t.id());
  }

  @Test
  void oneRefusedLegRefusesTheWholeTransactionNamingTheLeg() {
    UUID shop = ledger.openAccount(payee, "EUR", 0);
    UUID usd = ledger.openAccount(payee, "USD", 0);
    assertRefused(
        request(
            new Leg(payerAccount, shop, 6_000, null, Map.of()),
            new Leg(payerAccount, shop, 6_000, null, Map.of())),
        "insufficient-funds",
        "legs[1]");
    assertRefused(
        request(
            new Leg(payerAccount, shop, 1, null, Map.of()),
            new Leg(payerAccount, usd, 1, null, Map.of())),
        "currency-mismatch",
        "legs[1]");
    assertRefused(
        request(
            new Leg(shop, payerAccount, 1, null, Map.of()),
            new Leg(payerAccount, shop, 1, null, Map.of())),
        "not-found",
        "legs[0]");
    assertThat(balance(payer, payerAccount)).isEqualTo(10_000);
    assertThat(balance(payee, shop)).isZero();
    assertThat(
            ledger.query(
                "SELECT 1 FROM transactions t JOIN accounts a ON a.owner_id = t.owner_id WHERE a.id = '"
                    + payerAccount
                    + "'"))
        .isEmpty();
    // Terms: versions compared first, conditions on what all the legs leave.
    long version =
        await(ledger.accounts.get(payer, payerAccount, ConsistencyToken.LATEST)).version();
    TransactionRequest stale =
        new TransactionRequest(
            List.of(
                new Leg(payerAccount, shop, 1, null, Map.of()),
                new Leg(payerAccount, shop, 1, null, Map.of())),
            null,
            Map.of(),
            new Terms(false, null, Map.of(payerAccount, version - 1), List.of()));
    assertThatThrownBy(() -> await(transactions.book(payer, stale)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("version-mismatch"));
    TransactionRequest floor =
        new TransactionRequest(
            List.of(
                new Leg(payerAccount, shop, 3_000, null, Map.of()),
                new Leg(payerAccount, shop, 3_000, null, Map.of())),
            null,
            Map.of(),
            new Terms(
                false,
                null,
                Map.of(payerAccount, version),
                List.of(
                    new Terms.Condition(
                        payerAccount, Terms.Measure.BALANCE, Terms.Comparison.GTE, 5_000))));
    assertRefused(floor, "condition-failed", "require[0]");
  }

  @Test
  void aBookingIsReplayedByItsKeyAndBackDatingReachesEveryLeg() {
    UUID shop = ledger.openAccount(payee, "EUR", 0);
    OffsetDateTime yesterday = OffsetDateTime.now().minusDays(1);
    TransactionRequest request =
        new TransactionRequest(
            List.of(
                new Leg(payerAccount, shop, 10, null, Map.of()),
                new Leg(payerAccount, shop, 20, null, Map.of())),
            "back-dated",
            Map.of("k", "v"),
            Terms.NONE.effectiveAt(yesterday));
    IdempotencyKey key = new IdempotencyKey(payer, "txn-" + UUID.randomUUID(), "fingerprint");
    var first = await(transactions.book(payer, request, key, t -> stored(t))).value();
    var again = await(transactions.book(payer, request, key, t -> stored(t))).value();
    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(new String(again.response().body(), StandardCharsets.UTF_8))
        .isEqualTo(new String(first.response().body(), StandardCharsets.UTF_8));
    assertThat(balance(payee, shop)).isEqualTo(30);
    Transaction t = first.value();
    assertThat(t.effectiveAt().toInstant())
        .isEqualTo(yesterday.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    assertThat(t.legs())
        .allSatisfy(leg -> assertThat(leg.effectiveAt()).isEqualTo(t.effectiveAt()));
    assertThat(t.metadata()).containsEntry("k", "v");
  }

  // A 100-leg transaction among 8 accounts races single transfers between the same accounts: the
  // invariants (sums, chains, balances equal to their entries) hold after, checked in tearDown,
  // and the money adds up.
  @Test
  void aHundredLegTransactionRacingTransfersOnTheSameAccountsKeepsTheInvariants() {
    List<UUID> accounts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      UUID account = ledger.openAccount(payer, "EUR", 0);
      ledger.deposit(payer, account, 100_000);
      accounts.add(account);
    }
    Random random = new Random(7);
    List<Future<?>> all = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      List<Leg> legs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        int from = random.nextInt(8);
        int to = (from + 1 + random.nextInt(7)) % 8;
        legs.add(
            new Leg(accounts.get(from), accounts.get(to), 1 + random.nextInt(500), null, Map.of()));
      }
      all.add(
          transactions.book(
              payer, new TransactionRequest(legs, "round " + round, Map.of(), Terms.NONE)));
      for (int i = 0; i < 40; i++) {
        int from = random.nextInt(8);
        int to = (from + 1 + random.nextInt(7)) % 8;
        all.add(
            ledger.transfers.move(
                payer,
                TransferRequest.transfer(
                    accounts.get(from), accounts.get(to), 1 + random.nextInt(500), null)));
      }
    }
    await(Future.join(all).otherwiseEmpty());
    long failed = all.stream().filter(Future::failed).count();
    all.stream()
        .filter(Future::failed)
        .forEach(
            f ->
                assertThat(f.cause())
                    .as("only rules may refuse")
                    .isInstanceOf(LedgerException.class));
    assertThat(failed).as("funds are ample: nothing refused").isZero();
    long total = 0;
    for (UUID account : accounts) {
      total += balance(payer, account);
    }
    assertThat(total).isEqualTo(800_000);
    assertThat(
            ledger
                .query(
                    "SELECT count(*) FROM transfers t JOIN transactions x ON x.id = t.transaction_id WHERE x.owner_id = '"
                        + payer
                        + "'")
                .get(0)
                .getLong(0))
        .isEqualTo(400);
  }

  private void assertRefused(TransactionRequest request, String code, String pointer) {
    assertThatThrownBy(() -> await(transactions.book(payer, request)))
        .satisfies(
            e -> {
              assertThat(code(e)).isEqualTo(code);
              assertThat(((LedgerException) e).pointer()).isEqualTo(pointer);
            });
  }

  private static TransactionRequest request(Leg... legs) {
    return new TransactionRequest(List.of(legs), null, Map.of(), Terms.NONE);
  }

  private static StoredResponse stored(Transaction t) {
    return new StoredResponse(
        201, ("{\"id\":\"" + t.id() + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private long balance(UUID owner, UUID account) {
    Account a = await(ledger.accounts.get(owner, account, ConsistencyToken.LATEST));
    return a.balance();
  }

  private static String code(Throwable t) {
    return t instanceof LedgerException le ? le.code() : String.valueOf(t);
  }
}
