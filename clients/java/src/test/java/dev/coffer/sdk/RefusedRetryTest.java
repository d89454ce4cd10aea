package dev.coffer.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.sdk.http.RetryPolicy;
import dev.coffer.sdk.model.Account;
import dev.coffer.sdk.model.NewAccount;
import dev.coffer.sdk.model.NewDeposit;
import dev.coffer.sdk.problem.ServiceUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** 503 and 429 answers are waited out (at least their Retry-After) and sent again. */
class RefusedRetryTest {
  @Test
  void aDepositRefusedTwiceIsSentAgainAfterRetryAfterAndAppliedOnce() throws Exception {
    CofferForTests coffer = CofferForTests.shared();
    CofferClient me = coffer.newUser(CofferClient.builder(coffer.uri()).build());
    Account account = me.createAccount(new NewAccount().currency("EUR"));
    List<Duration> waits = new CopyOnWriteArrayList<>();
    try (RefusingProxy proxy =
        new RefusingProxy(coffer.port(), 2, 503, "service-unavailable", "2")) {
      CofferClient viaProxy =
          CofferClient.builder(URI.create("http://127.0.0.1:" + proxy.port()))
              .retryPolicy(
                  new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Math::random))
              .sleeper(waits::add)
              .build()
              .withToken(me.token());

      viaProxy.deposit(new NewDeposit().accountId(account.getId()).amount(900L));

      assertThat(waits).hasSize(2).allSatisfy(w -> assertThat(w).isEqualTo(Duration.ofSeconds(2)));
      assertThat(me.getAccount(account.getId()).getBalance()).isEqualTo(900L);
    }
  }

  @Test
  void aPostWithoutAKeyIsRetriedAfterA429ButNotAfterA503() throws Exception {
    CofferForTests coffer = CofferForTests.shared();
    CofferClient me = coffer.newUser(CofferClient.builder(coffer.uri()).build());
    List<Duration> waits = new CopyOnWriteArrayList<>();
    try (RefusingProxy limited = new RefusingProxy(coffer.port(), 1, 429, "rate-limited", "1");
        RefusingProxy unavailable =
            new RefusingProxy(coffer.port(), 1, 503, "service-unavailable", "1")) {
      CofferClient viaLimited = through(limited, waits).withToken(me.token());
      CofferClient viaUnavailable = through(unavailable, waits).withToken(me.token());

      viaLimited.createAccount(new NewAccount().currency("EUR"));
      assertThat(waits).containsExactly(Duration.ofSeconds(1));
      // A 503 may come after the write was applied: without a key, not sent again.
      assertThatThrownBy(() -> viaUnavailable.createAccount(new NewAccount().currency("EUR")))
          .isInstanceOf(ServiceUnavailableException.class);
      assertThat(me.listAccounts(50, null).getData()).hasSize(1);
    }
  }

  private static CofferClient through(RefusingProxy proxy, List<Duration> waits) {
    return CofferClient.builder(URI.create("http://127.0.0.1:" + proxy.port()))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Math::random))
        .sleeper(waits::add)
        .build();
  }
}
