package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.transfer.GroupCommitSettings;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferGroups;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferService;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Group commit: moves that queue behind a running group go together in the next one, and each keeps
 * exactly the answer, idempotency record and money it would have had alone.
 */
@ExtendWith(LedgerExtension.class)
class GroupCommitTest {
  private static final Function<Transfer, StoredResponse> RENDER =
      t ->
          new StoredResponse(
              201,
              ("{\"id\":\"" + t.id() + "\",\"amount\":" + t.amount() + "}")
                  .getBytes(StandardCharsets.UTF_8));
  private LedgerFixture ledger;
  // One group at a time: every move submitted while one runs waits for the next, so grouping is
  // certain, not a matter of timing.
  private TransferService grouped;
  private TransferGroups groups;
  private UUID merchant;
  private UUID merchantAccount;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    grouped =
        new TransferService(ledger.writes, ledger.reads, new GroupCommitSettings(true, 16, 1));
    groups = grouped.groups().orElseThrow();
    merchant = ledger.newUser();
    merchantAccount = ledger.openAccount(merchant, "EUR", 0);
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  private record Payer(UUID user, UUID account) {}

  private Payer payer(long funds) {
    UUID user = ledger.newUser();
    UUID account = ledger.openAccount(user, "EUR", 0);
    if (funds > 0) {
      ledger.deposit(user, account, funds);
    }
    return new Payer(user, account);
  }

  private Future<Committed<Outcome<Transfer>>> pay(
      TransferService service, Payer payer, UUID to, String key, long amount) {
    return service.move(
        payer.user(),
        TransferRequest.transfer(payer.account(), to, amount, null),
        new IdempotencyKey(payer.user(), key, "pay " + to + " " + amount),
        RENDER);
  }

  private long balance(UUID owner, UUID account) {
    return await(ledger.accounts.get(owner, account, ConsistencyToken.LATEST)).balance();
  }

  private static List<Future<Committed<Outcome<Transfer>>>> settled(
      List<Future<Committed<Outcome<Transfer>>>> answers) {
    await(Future.join(answers).otherwiseEmpty());
    return answers;
  }

  @Test
  void concurrentPaymentsIntoOneAccountGoInGroupsAndEachIsBookedOnce() {
    List<Payer> payers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      payers.add(payer(1_000));
    }
    List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (Payer p : payers) {
        answers.add(pay(grouped, p, merchantAccount, "pay-" + round, 10 + round));
      }
    }
    settled(answers);

    assertThat(answers).allSatisfy(a -> assertThat(a.succeeded()).isTrue());
    assertThat(answers).noneMatch(a -> a.result().value().replayed());
    assertThat(answers.stream().map(a -> a.result().value().value().id()).distinct()).hasSize(200);
    long expected = 10L * (10 + 29) * 20 / 2;
    assertThat(balance(merchant, merchantAccount)).isEqualTo(expected);
    payers.forEach(p -> assertThat(balance(p.user(), p.account())).isEqualTo(1_000 - 390));
    // 200 moves, at most 16 a group, one group at a time: they did go in groups.
    assertThat(groups.moves()).isEqualTo(200);
    assertThat(groups.groups()).isBetween(13L, 199L);

    // Every key was stored with its own answer: a retry replays it and moves nothing.
    List<Future<Committed<Outcome<Transfer>>>> retries = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (Payer p : payers) {
        retries.add(pay(grouped, p, merchantAccount, "pay-" + round, 10 + round));
      }
    }
    settled(retries);
    for (int i = 0; i < answers.size(); i++) {
      Outcome<Transfer> again = retries.get(i).result().value();
      assertThat(again.replayed()).isTrue();
      assertThat(again.response().body())
          .isEqualTo(answers.get(i).result().value().response().body());
    }
    assertThat(balance(merchant, merchantAccount)).isEqualTo(expected);
  }

  @Test
  void aRefusedMoveIsUndoneAloneAndTheRestOfItsGroupStands() {
    Payer rich = payer(1_000);
    Payer poor = payer(5);
    Payer dollars = new Payer(rich.user(), ledger.openAccount(rich.user(), "USD", 0));
    ledger.deposit(rich.user(), dollars.account(), 1_000);
    Payer stranger = payer(1_000);
    // The first holds the only group slot, so the rest form one group behind it.
    Future<Committed<Outcome<Transfer>>> first = pay(grouped, rich, merchantAccount, "a", 1);
    Map<String, Future<Committed<Outcome<Transfer>>>> group = new HashMap<>();
    group.put("ok-1", pay(grouped, rich, merchantAccount, "b", 100));
    group.put("insufficient-funds", pay(grouped, poor, merchantAccount, "c", 6));
    group.put("ok-2", pay(grouped, poor, merchantAccount, "d", 5));
    group.put("currency-mismatch", pay(grouped, dollars, merchantAccount, "e", 10));
    group.put(
        "not-found",
        pay(grouped, new Payer(stranger.user(), rich.account()), merchantAccount, "f", 10));
    group.put("ok-3", pay(grouped, stranger, merchantAccount, "g", 7));
    group.put("unknown-account", pay(grouped, stranger, UUID.randomUUID(), "h", 7));
    group.put(
        "unknown-account-deposit",
        grouped.move(
            stranger.user(),
            TransferRequest.deposit(UUID.randomUUID(), 7, null),
            new IdempotencyKey(stranger.user(), "i", "deposit"),
            RENDER));
    await(first);
    settled(new ArrayList<>(group.values()));

    group.forEach(
        (expected, answer) -> {
          if (expected.startsWith("ok")) {
            assertThat(answer.succeeded()).as(expected).isTrue();
          } else {
            assertThat(answer.cause())
                .as(expected)
                .isInstanceOfSatisfying(
                    LedgerException.class,
                    e ->
                        assertThat(e.code())
                            .isEqualTo(
                                expected.startsWith("unknown-account") ? "not-found" : expected));
          }
        });
    assertThat(groups.groups()).isEqualTo(2);
    // Every refusal, an unknown account's deposit included, came from the check: the group was
    // booked at once, never again move by move.
    assertThat(groups.bookedMoveByMove()).isZero();
    assertThat(balance(merchant, merchantAccount)).isEqualTo(1 + 100 + 5 + 7);
    assertThat(balance(rich.user(), rich.account())).isEqualTo(1_000 - 101);
    assertThat(balance(poor.user(), poor.account())).isZero();
    assertThat(balance(rich.user(), dollars.account())).isEqualTo(1_000);
    // A refused move stores nothing: the same key runs afresh once the money is there.
    ledger.deposit(poor.user(), poor.account(), 6);
    assertThat(await(pay(grouped, poor, merchantAccount, "c", 6)).value().replayed()).isFalse();
    assertThat(balance(merchant, merchantAccount)).isEqualTo(1 + 100 + 5 + 7 + 6);
  }

  // A group is booked at once, each move checked before it is written (no subtransactions); a
  // move that still fails (here a credit past the JSON-exact balance cap, a constraint, not a rule
  // its check sees) fails the whole group, which is then booked again move by move.
  @Test
  void aMoveThatFailsAGroupBookedAtOnceFailsAloneWhenItIsBookedAgainMoveByMove() {
    long cap = 9_007_199_254_740_991L;
    UUID fullOwner = ledger.newUser();
    UUID full = ledger.openAccount(fullOwner, "EUR", 0);
    for (int i = 0; i < 9; i++) {
      ledger.deposit(fullOwner, full, 1_000_000_000_000_000L);
    }
    long room = cap - 9_000_000_000_000_000L;
    Payer rich = payer(room + 1_000);
    Payer other = payer(1_000);
    Future<Committed<Outcome<Transfer>>> first = pay(grouped, rich, merchantAccount, "a", 1);
    Future<Committed<Outcome<Transfer>>> ok1 = pay(grouped, rich, merchantAccount, "b", 100);
    Future<Committed<Outcome<Transfer>>> pastCap = pay(grouped, rich, full, "c", room + 1);
    Future<Committed<Outcome<Transfer>>> ok2 = pay(grouped, other, merchantAccount, "d", 7);
    await(first);
    settled(List.of(ok1, pastCap, ok2));

    assertThat(ok1.succeeded()).isTrue();
    assertThat(ok2.succeeded()).isTrue();
    assertThat(pastCap.cause())
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.code()).isEqualTo("amount-overflow"));
    assertThat(groups.groups()).isEqualTo(2);
    assertThat(groups.bookedMoveByMove()).isEqualTo(1);
    assertThat(balance(merchant, merchantAccount)).isEqualTo(1 + 100 + 7);
    assertThat(balance(fullOwner, full)).isEqualTo(9_000_000_000_000_000L);
    assertThat(balance(rich.user(), rich.account())).isEqualTo(room + 1_000 - 101);
    // The refused move stored nothing; the others replay.
    assertThat(await(pay(grouped, rich, merchantAccount, "b", 100)).value().replayed()).isTrue();
    assertThat(await(pay(grouped, rich, full, "c", room)).value().replayed()).isFalse();
    assertThat(balance(fullOwner, full)).isEqualTo(cap);
  }

  @Test
  void theSameKeyTwiceAtOnceIsBookedOnceAndReplayedOnce() {
    Payer p = payer(1_000);
    Future<Committed<Outcome<Transfer>>> blocker = pay(grouped, p, merchantAccount, "x", 1);
    Future<Committed<Outcome<Transfer>>> one = pay(grouped, p, merchantAccount, "same", 50);
    Future<Committed<Outcome<Transfer>>> two = pay(grouped, p, merchantAccount, "same", 50);
    Future<Committed<Outcome<Transfer>>> other = pay(grouped, p, merchantAccount, "same", 60);
    settled(List.of(blocker, one, two, other));

    assertThat(one.result().value().replayed()).isFalse();
    assertThat(two.result().value().replayed()).isTrue();
    assertThat(two.result().value().response().body())
        .isEqualTo(one.result().value().response().body());
    assertThat(other.cause())
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.code()).isEqualTo("idempotency-key-reused"));
    assertThat(balance(merchant, merchantAccount)).isEqualTo(51);
  }

  @Test
  void aGroupedAndASingleMoveWithOneKeyExcludeEachOther() {
    Payer p = payer(1_000);
    // The same key through the one-transaction path and the grouped path, many times at once:
    // the advisory lock is the same, so exactly one books and every other answer is a replay or
    // "in progress".
    List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(pay(i % 2 == 0 ? grouped : ledger.transfers, p, merchantAccount, "k", 70));
    }
    settled(answers);
    long booked =
        answers.stream().filter(a -> a.succeeded() && !a.result().value().replayed()).count();
    assertThat(booked).isEqualTo(1);
    assertThat(answers)
        .allSatisfy(
            a -> {
              if (a.failed()) {
                assertThat(((LedgerException) a.cause()).code())
                    .isEqualTo("idempotency-request-in-progress");
              }
            });
    assertThat(balance(merchant, merchantAccount)).isEqualTo(70);
  }

  @Test
  void pendingMovesDepositsAndWithdrawalsGroupToo() {
    Payer p = payer(0);
    Future<Committed<Outcome<Transfer>>> deposit =
        grouped.move(
            p.user(),
            TransferRequest.deposit(p.account(), 500, "in"),
            new IdempotencyKey(p.user(), "dep", "deposit 500"),
            RENDER);
    await(deposit);
    List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
    answers.add(
        grouped.move(
            p.user(),
            TransferRequest.pending(p.account(), merchantAccount, 200, "held", Duration.ofHours(1)),
            new IdempotencyKey(p.user(), "hold", "hold 200"),
            RENDER));
    answers.add(
        grouped.move(
            p.user(),
            TransferRequest.withdrawal(p.account(), 100, "out"),
            new IdempotencyKey(p.user(), "wd", "withdraw 100"),
            RENDER));
    settled(answers);
    assertThat(answers).allSatisfy(a -> assertThat(a.succeeded()).isTrue());
    assertThat(answers.get(0).result().value().value().status().wire()).isEqualTo("pending");
    var account = await(ledger.accounts.get(p.user(), p.account(), ConsistencyToken.LATEST));
    assertThat(account.balance()).isEqualTo(400);
    assertThat(account.pendingDebits()).isEqualTo(200);
  }

  @Test
  void movesWaitingBehindAStuckGroupAreRefusedAsOverloadNotHeldForEver() {
    TransferService bounded =
        new TransferService(
            ledger.writes,
            ledger.reads,
            new GroupCommitSettings(true, 16, 1, 2, Duration.ofMillis(300)));
    Payer p1 = payer(100);
    Payer p2 = payer(100);
    UUID elsewhere = ledger.openAccount(merchant, "EUR", 0);
    // The merchant's row held from outside: the first group waits on it, holding the only slot.
    SqlConnection holder = await(ledger.pools.primary().getConnection());
    try {
      Transaction lock = await(holder.begin());
      await(
          holder
              .query("SELECT 1 FROM accounts WHERE id = '" + merchantAccount + "' FOR UPDATE")
              .execute());
      // Submitted on an event loop, as the API does: the wait deadline is kept by its timer.
      Context context = ledger.vertx.getOrCreateContext();
      List<Future<Committed<Outcome<Transfer>>>> answers =
          await(
              Future.<List<Future<Committed<Outcome<Transfer>>>>>future(
                  started ->
                      context.runOnContext(
                          v ->
                              started.complete(
                                  List.of(
                                      pay(bounded, p1, merchantAccount, "stuck", 10),
                                      pay(bounded, p2, elsewhere, "w1", 1),
                                      pay(bounded, p2, elsewhere, "w2", 2),
                                      pay(bounded, p2, elsewhere, "w3", 3))))));
      Future<Committed<Outcome<Transfer>>> stuck = answers.get(0);
      // Two may wait; the third is refused at once, the two after their 300 ms, all while the
      // lock is still held.
      settled(answers.subList(1, 4));
      assertThat(answers.subList(1, 4))
          .allSatisfy(
              a -> assertThat(a.cause()).isInstanceOf(ConnectionPoolTooBusyException.class));
      assertThat(stuck.isComplete()).isFalse();
      await(lock.commit());
      assertThat(await(stuck).value().replayed()).isFalse();
    } finally {
      holder.close();
    }
    assertThat(balance(merchant, merchantAccount)).isEqualTo(10);
    assertThat(balance(merchant, elsewhere)).isZero();
    // Refused as overload, so nothing was stored: the same keys run afresh.
    assertThat(await(pay(bounded, p2, elsewhere, "w1", 1)).value().replayed()).isFalse();
  }

  @Test
  void aPayersOverdueReservationIsReleasedInTheGroupAsAlone() throws Exception {
    Payer p = payer(100);
    UUID payee = ledger.openAccount(merchant, "EUR", 0);
    await(
        ledger.transfers.move(
            p.user(),
            TransferRequest.pending(p.account(), payee, 80, "held", Duration.ofSeconds(1))));
    Thread.sleep(1_200);
    // 80 reserved, past its expiry: the 90 can only be paid once the group releases it (its
    // payee locked up front with the rest).
    Committed<Outcome<Transfer>> paid = await(pay(grouped, p, merchantAccount, "after", 90));
    assertThat(paid.value().replayed()).isFalse();
    assertThat(balance(merchant, merchantAccount)).isEqualTo(90);
    assertThat(balance(merchant, payee)).isZero();
    var account = await(ledger.accounts.get(p.user(), p.account(), ConsistencyToken.LATEST));
    assertThat(account.pendingDebits()).isZero();
  }
}
