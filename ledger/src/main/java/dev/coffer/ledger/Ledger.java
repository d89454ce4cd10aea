package dev.coffer.ledger;

import dev.coffer.ledger.account.AccountService;
import dev.coffer.ledger.apikey.ApiKeyStore;
import dev.coffer.ledger.balance.BalanceService;
import dev.coffer.ledger.db.DatabasePools;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTracing;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.entry.EntryService;
import dev.coffer.ledger.journal.JournalReader;
import dev.coffer.ledger.journal.JournalVerifier;
import dev.coffer.ledger.transaction.TransactionService;
import dev.coffer.ledger.transfer.GroupCommitSettings;
import dev.coffer.ledger.transfer.TransferService;
import dev.coffer.ledger.user.UserStore;
import dev.coffer.ledger.webhook.WebhookStore;
import java.time.Duration;

/** The ledger's services, wired to one pair of pools. */
public record Ledger(
    WriteTransactions writes,
    ReadRouter reads,
    UserStore users,
    AccountService accounts,
    TransferService transfers,
    TransactionService transactions,
    EntryService entries,
    BalanceService balances,
    JournalVerifier journal,
    JournalReader journalReader,
    WebhookStore webhooks,
    ApiKeyStore apiKeys) {

  /** Wires every service; reads avoid a replica lagging more than {@code maxReplicaLag}. */
  public static Ledger create(DatabasePools pools, Duration maxReplicaLag) {
    return create(pools, maxReplicaLag, GroupCommitSettings.OFF);
  }

  /** As {@link #create(DatabasePools, Duration)}, with idempotent moves group-committed. */
  public static Ledger create(
      DatabasePools pools, Duration maxReplicaLag, GroupCommitSettings groupCommit) {
    return create(pools, maxReplicaLag, groupCommit, WriteTracing.NONE);
  }

  /**
   * As {@link #create(DatabasePools, Duration, GroupCommitSettings)}, writes traced by {@code
   * tracing}.
   */
  public static Ledger create(
      DatabasePools pools,
      Duration maxReplicaLag,
      GroupCommitSettings groupCommit,
      WriteTracing tracing) {
    WriteTransactions writes = new WriteTransactions(pools.primary(), tracing);
    ReadRouter reads =
        new ReadRouter(pools.primary(), pools.replica(), pools.replicaReads(), maxReplicaLag);
    pools.onReplicaMoved(reads::replicaMoved);
    return new Ledger(
        writes,
        reads,
        new UserStore(writes),
        new AccountService(writes, reads),
        new TransferService(writes, reads, groupCommit),
        new TransactionService(writes, reads),
        new EntryService(reads),
        new BalanceService(reads),
        new JournalVerifier(reads),
        // A cursor page: what a paused export holds in memory at most.
        new JournalReader(reads, 500),
        new WebhookStore(writes, reads),
        new ApiKeyStore(writes, reads));
  }
}
