package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.account.Account;
import dev.coffer.ledger.balance.TimeBasis;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.journal.JournalVerification;
import dev.coffer.ledger.transfer.GroupCommitSettings;
import dev.coffer.ledger.transfer.Terms;
import dev.coffer.ledger.transfer.Terms.Comparison;
import dev.coffer.ledger.transfer.Terms.Condition;
import dev.coffer.ledger.transfer.Terms.Measure;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferService;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A move's terms (issue 29): balancing moves, version locks, conditions on what a move leaves, and
 * back-dating, on the single path and in group commit, under concurrency.
 */
@ExtendWith(LedgerExtension.class)
class MoveTermsTest {
  private static final Function<Transfer, StoredResponse> RENDER =
      t ->
          new StoredResponse(
              201,
              ("{\"id\":\"" + t.id() + "\",\"amount\":" + t.amount() + "}")
                  .getBytes(StandardCharsets.UTF_8));

  private LedgerFixture ledger;
  private TransferService grouped;
  private UUID payer;
  private UUID payee;
  private UUID payerAccount;
  private UUID payeeAccount;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    grouped =
        new TransferService(ledger.writes, ledger.reads, new GroupCommitSettings(true, 16, 2));
    payer = ledger.newUser();
    payee = ledger.newUser();
    payerAccount = ledger.openAccount(payer, "EUR", 0);
    payeeAccount = ledger.openAccount(payee, "EUR", 0);
    ledger.deposit(payer, payerAccount, 10_000);
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  @Test
  void aBalancingMoveTakesWhatIsAvailableAtMostItsAmount() {
    ledger.deposit(payer, payerAccount, 1); // 10,001 now
    Transfer hold =
        await(
                ledger.transfers.move(
                    payer,
                    TransferRequest.pending(
                        payerAccount, payeeAccount, 2_000, "hold", Duration.ofHours(1))))
            .value();
    assertThat(hold.amount()).isEqualTo(2_000);
    Transfer upTo =
        move(balancing(TransferRequest.transfer(payerAccount, payeeAccount, 5_000, null)));
    assertThat(upTo.amount()).isEqualTo(5_000);
    Transfer rest =
        move(
            balancing(
                TransferRequest.transfer(
                    payerAccount, payeeAccount, TransferRequest.MAX_AMOUNT, "sweep")));
    assertThat(rest.amount())
        .as("what is left available: 10,001 - 2,000 held - 5,000")
        .isEqualTo(3_001);
    assertThat(account(payer, payerAccount).available()).isZero();
    assertThatThrownBy(
            () ->
                move(
                    balancing(
                        TransferRequest.transfer(payerAccount, payeeAccount, 10, "nothing left"))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("insufficient-funds"));
    Transfer withdrawn =
        move(
            balancing(TransferRequest.withdrawal(payeeAccount, TransferRequest.MAX_AMOUNT, null)),
            payee);
    assertThat(withdrawn.amount()).isEqualTo(8_001);
    assertThatThrownBy(() -> balancing(TransferRequest.deposit(payerAccount, 10, null)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("validation"));
  }

  @Test
  void concurrentBalancingSweepsNeverOverdrawAndMoveExactlyTheBalance() {
    List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
    List<UUID> sinks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      UUID sink = ledger.openAccount(payee, "EUR", 0);
      sinks.add(sink);
      answers.add(
          grouped.move(
              payer,
              balancing(TransferRequest.transfer(payerAccount, sink, 1_500, null)),
              key(payer, "sweep-" + i),
              RENDER));
    }
    await(Future.join(answers).otherwiseEmpty());
    long moved = 0;
    int refused = 0;
    for (Future<Committed<Outcome<Transfer>>> answer : answers) {
      if (answer.succeeded()) {
        moved += answer.result().value().value().amount();
      } else {
        assertThat(code(answer.cause())).isEqualTo("insufficient-funds");
        refused++;
      }
    }
    assertThat(moved).isEqualTo(10_000);
    assertThat(refused).as("6 sweeps of 1,500 and one of 1,000 empty 10,000").isEqualTo(9);
    assertThat(account(payer, payerAccount).balance()).isZero();
    long received = 0;
    for (UUID sink : sinks) {
      received += account(payee, sink).balance();
    }
    assertThat(received).isEqualTo(10_000);
  }

  @Test
  void aVersionLockAppliesOneMovePerVersionAmongSixteenClients() {
    for (int round = 0; round < 3; round++) {
      long version = account(payer, payerAccount).version();
      List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
      for (int client = 0; client < 16; client++) {
        TransferRequest move =
            TransferRequest.transfer(payerAccount, payeeAccount, 10, "cas")
                .withTerms(new Terms(false, null, Map.of(payerAccount, version), List.of()));
        // Half on the group path, half alone: the rule is the same on both.
        answers.add(
            client % 2 == 0
                ? grouped.move(payer, move, key(payer, "cas-" + round + "-" + client), RENDER)
                : ledger.transfers.move(payer, move).<Committed<Outcome<Transfer>>>map(c -> null));
      }
      await(Future.join(answers).otherwiseEmpty());
      long applied = answers.stream().filter(Future::succeeded).count();
      assertThat(applied).as("round " + round).isEqualTo(1);
      answers.stream()
          .filter(Future::failed)
          .forEach(
              f -> {
                assertThat(code(f.cause())).isEqualTo("version-mismatch");
                assertThat(((LedgerException) f.cause()).pointer())
                    .isEqualTo("ifAccountVersion." + payerAccount);
              });
      assertThat(account(payer, payerAccount).version()).isEqualTo(version + 1);
    }
    assertThat(account(payer, payerAccount).balance()).isEqualTo(10_000 - 30);
    // A version lock on the payee's account, which is not the caller's, learns nothing of it.
    long payeeVersion = account(payee, payeeAccount).version();
    assertThatThrownBy(
            () ->
                move(
                    TransferRequest.transfer(payerAccount, payeeAccount, 10, null)
                        .withTerms(
                            new Terms(false, null, Map.of(payeeAccount, payeeVersion), List.of()))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("not-found"));
  }

  @Test
  void conditionsHoldOnWhatTheMoveLeavesAndARefusalNamesTheCondition() {
    Terms keepFloor =
        new Terms(
            false,
            null,
            Map.of(),
            List.of(
                new Condition(payerAccount, Measure.BALANCE, Comparison.LTE, 1_000_000),
                new Condition(payerAccount, Measure.AVAILABLE, Comparison.GTE, 4_000)));
    assertThat(
            move(TransferRequest.transfer(payerAccount, payeeAccount, 6_000, null)
                    .withTerms(keepFloor))
                .amount())
        .isEqualTo(6_000);
    assertThatThrownBy(
            () ->
                move(
                    TransferRequest.transfer(payerAccount, payeeAccount, 1, null)
                        .withTerms(keepFloor)))
        .satisfies(
            e -> {
              assertThat(code(e)).isEqualTo("condition-failed");
              assertThat(((LedgerException) e).pointer()).isEqualTo("require[1]");
            });
    // The same in a group: refused alone, the others booked.
    List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      answers.add(
          grouped.move(
              payer,
              TransferRequest.transfer(payerAccount, payeeAccount, 1, null)
                  .withTerms(i % 2 == 0 ? keepFloor : Terms.NONE),
              key(payer, "cond-" + i),
              RENDER));
    }
    await(Future.join(answers).otherwiseEmpty());
    assertThat(answers.stream().map(f -> f.succeeded() ? "ok" : code(f.cause())).toList())
        .containsExactly("condition-failed", "ok", "condition-failed", "ok");
    // A condition on the payee's side reads what it will hold.
    Terms payeeAtMost =
        new Terms(
            false,
            null,
            Map.of(),
            List.of(new Condition(payeeAccount, Measure.BALANCE, Comparison.LTE, 6_002)));
    assertThatThrownBy(
            () ->
                move(
                    TransferRequest.transfer(payerAccount, payeeAccount, 1, null)
                        .withTerms(payeeAtMost)))
        .as("the payee is not the caller's: not found")
        .satisfies(e -> assertThat(code(e)).isEqualTo("not-found"));
    UUID own = ledger.openAccount(payer, "EUR", 0);
    Terms ownAtMost =
        new Terms(
            false, null, Map.of(), List.of(new Condition(own, Measure.BALANCE, Comparison.LTE, 5)));
    assertThat(
            move(TransferRequest.transfer(payerAccount, own, 5, null).withTerms(ownAtMost))
                .amount())
        .isEqualTo(5);
    assertThatThrownBy(
            () -> move(TransferRequest.transfer(payerAccount, own, 1, null).withTerms(ownAtMost)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("condition-failed"));
    assertThatThrownBy(
            () ->
                TransferRequest.transfer(payerAccount, payeeAccount, 1, null)
                    .withTerms(
                        new Terms(
                            false,
                            null,
                            Map.of(),
                            List.of(
                                new Condition(
                                    UUID.randomUUID(), Measure.BALANCE, Comparison.GTE, 0)))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("validation"));
  }

  @Test
  void aBackDatedMoveKeepsBothTimesTheChainAndBookingOrder() {
    OffsetDateTime before = OffsetDateTime.now().truncatedTo(ChronoUnit.MILLIS);
    OffsetDateTime threeDaysAgo = before.minusDays(3);
    Transfer backDated =
        move(
            TransferRequest.transfer(payerAccount, payeeAccount, 700, "late invoice")
                .withTerms(Terms.NONE.effectiveAt(threeDaysAgo)));
    assertThat(backDated.effectiveAt().toInstant()).isEqualTo(threeDaysAgo.toInstant());
    assertThat(backDated.createdAt()).isAfterOrEqualTo(before);
    // seq stays booking order: the back-dated move is the payer's latest entry.
    assertThat(account(payer, payerAccount).version()).isEqualTo(2);
    // Booked basis: two days ago the payee held nothing; effective basis: the 700.
    OffsetDateTime twoDaysAgo = before.minusDays(2);
    assertThat(
            await(
                    ledger.balances.at(
                        payee, payeeAccount, twoDaysAgo, TimeBasis.BOOKED, ConsistencyToken.LATEST))
                .balance())
        .isZero();
    assertThat(
            await(
                    ledger.balances.at(
                        payee,
                        payeeAccount,
                        twoDaysAgo,
                        TimeBasis.EFFECTIVE,
                        ConsistencyToken.LATEST))
                .balance())
        .isEqualTo(700);
    // The payer's deposit was booked (and effective) just now: before it, nothing; after, both.
    assertThat(
            await(
                    ledger.balances.at(
                        payer,
                        payerAccount,
                        twoDaysAgo,
                        TimeBasis.EFFECTIVE,
                        ConsistencyToken.LATEST))
                .balance())
        .isEqualTo(-700);
    OffsetDateTime now = OffsetDateTime.now();
    assertThat(
            await(
                    ledger.balances.at(
                        payer, payerAccount, now, TimeBasis.EFFECTIVE, ConsistencyToken.LATEST))
                .balance())
        .isEqualTo(9_300);
    // The hash chain covers effectiveAt: the whole chain verifies (and assertInvariants audits it).
    JournalVerification verified =
        await(ledger.journal.verify(payee, payeeAccount, ConsistencyToken.LATEST));
    assertThat(verified.holds()).isTrue();
    // Group commit books back-dated moves the same way.
    Transfer inGroup =
        await(
                grouped.move(
                    payer,
                    TransferRequest.transfer(payerAccount, payeeAccount, 1, null)
                        .withTerms(Terms.NONE.effectiveAt(threeDaysAgo)),
                    key(payer, "back-dated"),
                    RENDER))
            .value()
            .value();
    assertThat(inGroup.effectiveAt().toInstant()).isEqualTo(threeDaysAgo.toInstant());
    assertThatThrownBy(
            () ->
                TransferRequest.pending(payerAccount, payeeAccount, 1, null, Duration.ofHours(1))
                    .withTerms(Terms.NONE.effectiveAt(threeDaysAgo)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("validation"));
  }

  private static TransferRequest balancing(TransferRequest request) {
    return request.withTerms(new Terms(true, null, Map.of(), List.of()));
  }

  private Transfer move(TransferRequest request) {
    return move(request, payer);
  }

  private Transfer move(TransferRequest request, UUID owner) {
    return await(ledger.transfers.move(owner, request)).value();
  }

  private Account account(UUID owner, UUID id) {
    return await(ledger.accounts.get(owner, id, ConsistencyToken.LATEST));
  }

  private static IdempotencyKey key(UUID owner, String key) {
    return new IdempotencyKey(owner, key + "-" + UUID.randomUUID(), "terms " + key);
  }

  private static String code(Throwable t) {
    return t instanceof LedgerException le ? le.code() : String.valueOf(t);
  }
}
