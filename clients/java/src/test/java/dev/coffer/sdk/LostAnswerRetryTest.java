package dev.coffer.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.sdk.http.CofferConnectionException;
import dev.coffer.sdk.http.RetryPolicy;
import dev.coffer.sdk.model.Account;
import dev.coffer.sdk.model.BalancingAmount;
import dev.coffer.sdk.model.NewAccount;
import dev.coffer.sdk.model.NewDeposit;
import dev.coffer.sdk.model.NewTransfer;
import dev.coffer.sdk.model.Transfer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A money POST whose answer is lost after the service applied it: the SDK sends it again with the
 * same Idempotency-Key, gets the first answer replayed, and the money moved once.
 */
class LostAnswerRetryTest {
  private static final RetryPolicy QUICK =
      new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Math::random);
  private static CofferForTests coffer;
  private static CofferClient anonymous;

  @BeforeAll
  static void start() {
    coffer = CofferForTests.shared();
    anonymous = CofferClient.builder(coffer.uri()).build();
  }

  @Test
  void aDepositWhoseAnswerWasLostIsRetriedWithItsKeyAndAppliedOnce() throws Exception {
    CofferClient me = coffer.newUser(anonymous);
    Account account = me.createAccount(new NewAccount().currency("EUR"));
    try (LostAnswerProxy proxy = new LostAnswerProxy(coffer.port(), 1)) {
      CofferClient viaProxy = throughProxy(proxy).withToken(token(me));

      Transfer deposit =
          viaProxy.deposit(new NewDeposit().accountId(account.getId()).amount(4_200L));

      assertThat(proxy.connections()).as("the lost attempt and the retry").isEqualTo(2);
      assertThat(deposit.getAmount()).isEqualTo(4_200L);
      assertThat(me.getAccount(account.getId()).getBalance()).isEqualTo(4_200L);
      assertThat(me.listEntries(account.getId(), 10, null).getData()).hasSize(1);
    }
  }

  @Test
  void aTransferWhoseAnswersWereLostTwiceMovesMoneyOnce() throws Exception {
    CofferClient me = coffer.newUser(anonymous);
    Account from = me.createAccount(new NewAccount().currency("EUR"));
    Account to = me.createAccount(new NewAccount().currency("EUR"));
    me.deposit(new NewDeposit().accountId(from.getId()).amount(1_000L));
    try (LostAnswerProxy proxy = new LostAnswerProxy(coffer.port(), 2)) {
      CofferClient viaProxy = throughProxy(proxy).withToken(token(me));

      Transfer paid =
          viaProxy.transfer(
              new NewTransfer()
                  .fromAccountId(from.getId())
                  .toAccountId(to.getId())
                  .amount(new BalancingAmount(300L)));

      assertThat(proxy.connections()).isEqualTo(3);
      assertThat(me.getTransfer(paid.getId()).getAmount()).isEqualTo(300L);
      assertThat(me.getAccount(from.getId()).getBalance()).isEqualTo(700L);
      assertThat(me.getAccount(to.getId()).getBalance()).isEqualTo(300L);
    }
  }

  @Test
  void aPostWithoutAKeyWhoseAnswerWasLostIsNotSentAgain() throws Exception {
    CofferClient me = coffer.newUser(anonymous);
    try (LostAnswerProxy proxy = new LostAnswerProxy(coffer.port(), 1)) {
      CofferClient viaProxy = throughProxy(proxy).withToken(token(me));

      assertThatThrownBy(() -> viaProxy.createAccount(new NewAccount().currency("EUR")))
          .isInstanceOf(CofferConnectionException.class);

      // It was applied: sending it again would have opened a second account.
      assertThat(proxy.connections()).isEqualTo(1);
      assertThat(me.listAccounts(50, null).getData()).hasSize(1);
    }
  }

  private static CofferClient throughProxy(LostAnswerProxy proxy) {
    return CofferClient.builder(URI.create("http://127.0.0.1:" + proxy.port()))
        .retryPolicy(QUICK)
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private static String token(CofferClient client) {
    return client.token();
  }
}
