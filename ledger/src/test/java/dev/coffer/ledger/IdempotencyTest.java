package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A retried request never moves money twice. */
@ExtendWith(LedgerExtension.class)
class IdempotencyTest {
  private static final Function<Transfer, StoredResponse> RENDER =
      t ->
          new StoredResponse(201, ("{\"id\":\"" + t.id() + "\"}").getBytes(StandardCharsets.UTF_8));
  private LedgerFixture ledger;
  private UUID owner;
  private UUID from;
  private UUID to;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    owner = ledger.newUser();
    from = ledger.openAccount(owner, "GBP", 0);
    to = ledger.openAccount(owner, "GBP", 0);
    ledger.deposit(owner, from, 1_000);
  }

  @AfterEach
  void tearDown() {
    ledger.assertInvariants();
  }

  private Future<Committed<Outcome<Transfer>>> pay(UUID user, String key, long amount) {
    return ledger.transfers.move(
        user,
        TransferRequest.transfer(from, to, amount, null),
        new IdempotencyKey(user, key, "POST /v1/transfers amount=" + amount),
        RENDER);
  }

  private long balance(UUID account) {
    return await(ledger.accounts.get(owner, account, ConsistencyToken.LATEST)).balance();
  }

  @Test
  void aReplayReturnsTheFirstResponseAndMovesNothing() {
    Outcome<Transfer> first = await(pay(owner, "k-1", 100)).value();
    Outcome<Transfer> again = await(pay(owner, "k-1", 100)).value();
    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.response().status()).isEqualTo(201);
    assertThat(again.response().body()).isEqualTo(first.response().body());
    assertThat(balance(to)).isEqualTo(100);
  }

  @Test
  void theSameKeyForAnotherRequestIsRefused() {
    await(pay(owner, "k-2", 100));
    assertThatThrownBy(() -> await(pay(owner, "k-2", 200)))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.code()).isEqualTo("idempotency-key-reused"));
    assertThat(balance(to)).isEqualTo(100);
  }

  @Test
  void concurrentRequestsWithOneKeyMoveMoneyOnce() {
    List<Future<Committed<Outcome<Transfer>>>> racing = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      racing.add(pay(owner, "k-3", 100));
    }
    await(Future.join(racing).transform(ar -> Future.succeededFuture()));
    long applied =
        racing.stream().filter(f -> f.succeeded() && !f.result().value().replayed()).count();
    assertThat(applied).isEqualTo(1);
    assertThat(racing)
        .allSatisfy(
            f -> {
              if (f.failed()) {
                assertThat(((LedgerException) f.cause()).code())
                    .isEqualTo("idempotency-request-in-progress");
              }
            });
    assertThat(balance(to)).isEqualTo(100);
    assertThat(await(pay(owner, "k-3", 100)).value().replayed()).isTrue();
  }

  @Test
  void keysAreScopedPerUser() {
    UUID other = ledger.newUser();
    UUID othersFrom = ledger.openAccount(other, "GBP", 0);
    ledger.deposit(other, othersFrom, 500);
    await(pay(owner, "shared-key", 100));
    Outcome<Transfer> theirs =
        await(
                ledger.transfers.move(
                    other,
                    TransferRequest.transfer(othersFrom, to, 50, null),
                    new IdempotencyKey(other, "shared-key", "POST /v1/transfers amount=50"),
                    RENDER))
            .value();
    assertThat(theirs.replayed()).isFalse();
    assertThat(balance(to)).isEqualTo(150);
  }

  @Test
  void aFailedRequestStoresNothingSoARetryRunsAfresh() {
    assertThatThrownBy(() -> await(pay(owner, "k-4", 5_000)))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.code()).isEqualTo("insufficient-funds"));
    ledger.deposit(owner, from, 10_000);
    assertThat(await(pay(owner, "k-4", 5_000)).value().replayed()).isFalse();
    assertThat(balance(to)).isEqualTo(5_000);
  }
}
