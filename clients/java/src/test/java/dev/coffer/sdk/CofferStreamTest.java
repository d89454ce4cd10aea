package dev.coffer.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.sdk.model.Account;
import dev.coffer.sdk.model.Entry;
import dev.coffer.sdk.model.NewAccount;
import dev.coffer.sdk.model.NewDeposit;
import dev.coffer.sdk.stream.CofferStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stream client follows an account, loses its connection and resumes by since. */
class CofferStreamTest {
  @Test
  void entriesArriveInOrderAcrossADroppedConnectionWithNoGapAndNoDuplicate() throws Exception {
    CofferForTests coffer = CofferForTests.shared();
    CofferClient me = coffer.newUser(CofferClient.builder(coffer.uri()).build());
    Account account = me.createAccount(new NewAccount().currency("EUR"));
    me.deposit(new NewDeposit().accountId(account.getId()).amount(1L));
    List<Long> seqs = new CopyOnWriteArrayList<>();
    LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Boolean> connections = new LinkedBlockingQueue<>();
    CofferStream.Listener listener =
        new CofferStream.Listener() {
          @Override
          public void onEntry(String accountId, Entry entry, long balance, long available) {
            seqs.add(entry.getSeq());
            arrivals.add(balance);
          }

          @Override
          public void onConnected() {
            connections.add(true);
          }
        };
    try (CofferStream stream = me.stream(listener).connect()) {
      assertThat(connections.poll(10, TimeUnit.SECONDS)).isTrue();
      stream.subscribe(account.getId(), 0L);
      assertThat(arrivals.poll(10, TimeUnit.SECONDS)).as("the history from since").isEqualTo(1L);

      me.deposit(new NewDeposit().accountId(account.getId()).amount(10L));
      assertThat(arrivals.poll(10, TimeUnit.SECONDS)).as("a live entry").isEqualTo(11L);

      stream.dropConnection();
      me.deposit(new NewDeposit().accountId(account.getId()).amount(100L));
      me.deposit(new NewDeposit().accountId(account.getId()).amount(1000L));
      assertThat(connections.poll(10, TimeUnit.SECONDS)).as("reconnected").isTrue();
      assertThat(arrivals.poll(10, TimeUnit.SECONDS)).isEqualTo(111L);
      assertThat(arrivals.poll(10, TimeUnit.SECONDS)).isEqualTo(1111L);
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L);
      assertThat(stream.lastSeq(account.getId())).isEqualTo(4L);
    }
  }
}
