package dev.coffer.api.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.chaos.LedgerSnapshot.StoredKey;
import dev.coffer.api.chaos.LedgerSnapshot.StoredTransfer;
import dev.coffer.api.chaos.Operation.Kind;
import dev.coffer.api.chaos.Operation.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The auditor on crafted histories: a faithful ledger passes; a duplicate, a lost acknowledged
 * transfer, a balance off by one, a key naming another transfer, an unanswered operation and broken
 * invariants each fail it.
 */
class LedgerAuditorTest {
  private final UUID alice = UUID.randomUUID();
  private final UUID bob = UUID.randomUUID();
  private final UUID aliceAccount = UUID.randomUUID();
  private final UUID bobAccount = UUID.randomUUID();
  private final UUID settlement = UUID.randomUUID();
  private final Set<UUID> accounts = Set.of(aliceAccount, bobAccount);

  private final List<Operation> operations = new ArrayList<>();
  private final List<StoredTransfer> transfers = new ArrayList<>();
  private final List<StoredKey> keys = new ArrayList<>();
  private final Map<UUID, Long> balances = new HashMap<>();

  /** A faithful run: two deposits of 100, a transfer of 30 from Alice to Bob, one refused. */
  LedgerAuditorTest() {
    deposit(alice, "d-a", aliceAccount, 100);
    deposit(bob, "d-b", bobAccount, 100);
    transfer(alice, "t-1", aliceAccount, bobAccount, 30);
    operations.add(
        Operation.of(Kind.TRANSFER, bob, "t-2", bobAccount, aliceAccount, 1000, Outcome.REFUSED));
    balances.put(aliceAccount, 70L);
    balances.put(bobAccount, 130L);
  }

  private UUID deposit(UUID user, String key, UUID account, long amount) {
    UUID id = UUID.randomUUID();
    operations.add(Operation.acknowledged(Kind.DEPOSIT, user, key, null, account, amount, id));
    transfers.add(new StoredTransfer(id, "deposit", settlement, account, amount, "posted"));
    keys.add(new StoredKey(user, key, 201, List.of(id)));
    return id;
  }

  private UUID transfer(UUID user, String key, UUID from, UUID to, long amount) {
    UUID id = UUID.randomUUID();
    operations.add(Operation.acknowledged(Kind.TRANSFER, user, key, from, to, amount, id));
    transfers.add(new StoredTransfer(id, "transfer", from, to, amount, "posted"));
    keys.add(new StoredKey(user, key, 201, List.of(id)));
    return id;
  }

  private List<String> audit() {
    return audit(History.of(operations));
  }

  private List<String> audit(History history) {
    return LedgerAuditor.audit(
        history, new LedgerSnapshot(transfers, balances, keys, null), accounts);
  }

  @Test
  void aFaithfulLedgerPasses() {
    assertThat(audit()).isEmpty();
  }

  @Test
  void aDuplicateTransferFails() {
    // A retry that was applied again: a second transfer, the balances moved twice, one key.
    StoredTransfer first = transfers.get(2);
    transfers.add(
        new StoredTransfer(UUID.randomUUID(), "transfer", first.from(), first.to(), 30, "posted"));
    balances.put(aliceAccount, 40L);
    balances.put(bobAccount, 160L);
    assertThat(audit())
        .anySatisfy(f -> assertThat(f).contains("no client saw acknowledged (duplicates)"))
        .anySatisfy(f -> assertThat(f).contains("balances that are not"));
  }

  @Test
  void aDuplicateWhoseBalancesWereFixedUpStillFails() {
    StoredTransfer first = transfers.get(2);
    transfers.add(
        new StoredTransfer(UUID.randomUUID(), "transfer", first.from(), first.to(), 30, "posted"));
    assertThat(audit()).singleElement().asString().contains("duplicates");
  }

  @Test
  void aLostAcknowledgedTransferFails() {
    transfers.remove(2);
    balances.put(aliceAccount, 100L);
    balances.put(bobAccount, 100L);
    assertThat(audit())
        .anySatisfy(f -> assertThat(f).contains("acknowledged transfers missing from the ledger"));
  }

  @Test
  void aBalanceOffByOneFails() {
    balances.put(bobAccount, 131L);
    assertThat(audit())
        .anySatisfy(
            f -> assertThat(f).contains("balances that are not").contains(bobAccount.toString()))
        .anySatisfy(f -> assertThat(f).contains("money not conserved"));
  }

  @Test
  void aKeyNamingAnotherTransferFails() {
    StoredKey key = keys.get(2);
    keys.set(2, new StoredKey(key.user(), key.key(), 201, List.of(UUID.randomUUID())));
    assertThat(audit()).singleElement().asString().contains("do not name their one transfer");
  }

  @Test
  void aTransferStoredWithAnotherAmountFails() {
    StoredTransfer t = transfers.get(2);
    transfers.set(2, new StoredTransfer(t.id(), t.kind(), t.from(), t.to(), 31, t.status()));
    assertThat(audit()).anySatisfy(f -> assertThat(f).contains("stored differently"));
  }

  @Test
  void anOperationWithoutADefinitiveAnswerFails() {
    operations.add(
        Operation.of(
            Kind.TRANSFER, alice, "t-3", aliceAccount, bobAccount, 5, Outcome.UNDETERMINED));
    assertThat(audit()).singleElement().asString().contains("without a definitive answer");
  }

  @Test
  void aResendAnsweredWithAnotherTransferFails() {
    History history = History.of(operations);
    history.anomaly("resent t-1 was answered 201 transfer " + UUID.randomUUID());
    assertThat(audit(history)).singleElement().asString().contains("client-side anomalies");
  }

  @Test
  void aBatchWhoseKeyNamesItsTransfersInOrderPasses() {
    List<UUID> ids = batch();
    keys.add(new StoredKey(bob, "b-1", 201, ids));
    assertThat(audit()).isEmpty();
  }

  @Test
  void aBatchKeyNamingOnlyPartOfItsTransfersFails() {
    List<UUID> ids = batch();
    keys.add(new StoredKey(bob, "b-1", 201, List.of(ids.get(1))));
    assertThat(audit()).singleElement().asString().contains("do not name their one transfer");
  }

  // Bob pays Alice 5 and 7 in one batch request.
  private List<UUID> batch() {
    List<UUID> ids = new ArrayList<>();
    long[] amounts = {5, 7};
    for (int i = 0; i < amounts.length; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      operations.add(
          new Operation(
              Kind.TRANSFER,
              bob,
              "b-1",
              i,
              bobAccount,
              aliceAccount,
              amounts[i],
              Outcome.ACKNOWLEDGED,
              id,
              null));
      transfers.add(
          new StoredTransfer(id, "transfer", bobAccount, aliceAccount, amounts[i], "posted"));
    }
    balances.put(aliceAccount, 82L);
    balances.put(bobAccount, 118L);
    return ids;
  }

  @Test
  void brokenLedgerInvariantsFail() {
    List<String> findings =
        LedgerAuditor.audit(
            History.of(operations),
            new LedgerSnapshot(transfers, balances, keys, "ledger invariants broken: [seqs]"),
            accounts);
    assertThat(findings).containsExactly("ledger invariants broken: [seqs]");
  }
}
