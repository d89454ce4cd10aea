package dev.coffer.ledger;

import dev.coffer.ledger.account.AccountService;
import dev.coffer.ledger.balance.BalanceService;
import dev.coffer.ledger.db.DatabasePools;
import dev.coffer.ledger.db.DatabaseSettings;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.entry.EntryService;
import dev.coffer.ledger.journal.JournalVerifier;
import dev.coffer.ledger.migration.LedgerMigrations;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferService;
import dev.coffer.ledger.user.UserStore;
import dev.coffer.ledger.webhook.WebhookStore;
import dev.coffer.testkit.StackSettings;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The ledger's services on the real stack, migrated, for integration tests. */
public final class LedgerFixture implements AutoCloseable {
  // Migrated once per database (a test run may use the light stack and the HA one).
  private static final java.util.Set<String> migrated = new java.util.HashSet<>();
  public final Vertx vertx;
  public final DatabasePools pools;
  public final WriteTransactions writes;
  public final ReadRouter reads;
  public final UserStore users;
  public final AccountService accounts;
  public final TransferService transfers;
  public final EntryService entries;
  public final BalanceService balances;
  public final JournalVerifier journal;
  public final WebhookStore webhooks;

  public LedgerFixture(Vertx vertx, StackSettings stack) {
    DatabaseSettings settings = DatabaseSettings.fromUris(stack.pgPrimary(), stack.pgReplica());
    migrate(settings);
    this.vertx = vertx;
    pools = DatabasePools.create(vertx, settings);
    Ledger ledger = Ledger.create(pools, Duration.ofSeconds(5));
    writes = ledger.writes();
    reads = ledger.reads();
    users = ledger.users();
    accounts = ledger.accounts();
    transfers = ledger.transfers();
    entries = ledger.entries();
    balances = ledger.balances();
    journal = ledger.journal();
    webhooks = ledger.webhooks();
  }

  private static synchronized void migrate(DatabaseSettings settings) {
    if (migrated.add(settings.primary().describe())) {
      LedgerMigrations.update(settings.primary());
    }
  }

  public static <T> T await(io.vertx.core.Future<T> future) {
    return await(future, Duration.ofSeconds(60));
  }

  public static <T> T await(io.vertx.core.Future<T> future, Duration limit) {
    try {
      return future.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out after " + limit, e);
    }
  }

  // Entries booked this long before the fixture was made are checked too: a class's set-up
  // (@BeforeAll) writes before its tests' fixtures exist.
  private static final Duration CHECK_MARGIN = Duration.ofMinutes(2);
  private final Instant created = Instant.now();

  // How long this fixture's own queries (query, the invariants) may take: a long chaos run's
  // audit reads millions of entries.
  private Duration queryLimit = Duration.ofSeconds(60);

  /** This fixture, with its queries allowed {@code limit} each. */
  public LedgerFixture withQueryLimit(Duration limit) {
    this.queryLimit = limit;
    return this;
  }

  public UUID newUser() {
    return await(users.create("u-" + UUID.randomUUID() + "@example.com", "not-a-real-hash"))
        .value()
        .id();
  }

  public UUID openAccount(UUID owner, String currency, long overdraft) {
    return await(accounts.open(owner, currency, "test", overdraft)).value().id();
  }

  public void deposit(UUID owner, UUID account, long amount) {
    await(transfers.move(owner, TransferRequest.deposit(account, amount, "funding")));
  }

  /** Rows of a query on the primary. */
  public List<Row> query(String sql) {
    List<Row> rows = new ArrayList<>();
    await(pools.primary().query(sql).execute(), queryLimit).forEach(rows::add);
    return rows;
  }

  /**
   * Fails unless every ledger-wide invariant holds. Sums over all accounts are checked across the
   * whole database; the per-entry checks (seqs, balance chains, booking times) cover every entry of
   * each account booked since {@link #CHECK_MARGIN} before this fixture was made, and the hash
   * chain every entry written since then: what this test wrote, and not again what the whole build
   * wrote before it (a test database grows to hundreds of thousands of entries in a build, and
   * re-hashing them all after each test cost the build minutes).
   */
  public void assertInvariants() {
    List<String> broken = new ArrayList<>();
    long sinceSeconds =
        Duration.between(created, Instant.now()).toSeconds() + CHECK_MARGIN.toSeconds();
    String touched =
        "(SELECT id FROM accounts WHERE last_booked_at >= now() - make_interval(secs => "
            + sinceSeconds
            + "))";
    check(
        broken,
        "balances per currency sum to zero",
        "SELECT currency FROM accounts GROUP BY currency HAVING sum(balance) <> 0");
    check(
        broken,
        "no account below its overdraft limit",
        "SELECT id FROM accounts WHERE kind = 'user' AND balance - pending_debits + overdraft_limit < 0");
    check(
        broken,
        "reserved debits equal reserved credits per currency",
        "SELECT currency FROM accounts GROUP BY currency HAVING sum(pending_debits) <> sum(pending_credits)");
    check(
        broken,
        "reservations equal pending transfers",
        "SELECT a.id FROM accounts a WHERE pending_debits <> (SELECT"
            + " COALESCE(sum(amount - COALESCE(captured_amount, 0)), 0) FROM transfers"
            + " WHERE from_account_id = a.id AND status = 'pending')");
    check(
        broken,
        "never more reversed than moved, never more captured than held",
        "SELECT id FROM transfers WHERE reversed_amount > COALESCE(captured_amount,"
            + " CASE WHEN status = 'posted' THEN amount ELSE 0 END)"
            + " OR captured_amount > amount");
    check(
        broken,
        "seqs are 1..n with no gap, matching last_seq",
        "SELECT a.id FROM accounts a LEFT JOIN (SELECT account_id, count(*) n, min(seq) lo, max(seq) hi"
            + " FROM entries WHERE account_id IN "
            + touched
            + " GROUP BY account_id) e ON e.account_id = a.id"
            + " WHERE a.id IN "
            + touched
            + " AND (COALESCE(e.n, 0) <> a.last_seq OR COALESCE(e.hi, 0) <> a.last_seq"
            + " OR (e.n > 0 AND e.lo <> 1))");
    check(
        broken,
        "each entry's balance-after chains from the previous one",
        "SELECT account_id, seq FROM (SELECT account_id, seq, balance_after, status, amount,"
            + " lag(balance_after, 1, 0::bigint) OVER (PARTITION BY account_id ORDER BY seq) AS prev"
            + " FROM entries WHERE account_id IN "
            + touched
            + ") x WHERE balance_after <> prev + CASE WHEN status = 'posted' THEN amount ELSE 0 END");
    check(
        broken,
        "the last entry's balance-after is the balance",
        "SELECT a.id FROM accounts a JOIN entries e ON e.account_id = a.id AND e.seq = a.last_seq"
            + " WHERE e.balance_after <> a.balance");
    check(
        broken,
        "the last entry's pending amounts are the account's",
        "SELECT a.id FROM accounts a JOIN entries e ON e.account_id = a.id AND e.seq = a.last_seq"
            + " WHERE e.pending_debits_after <> a.pending_debits"
            + " OR e.pending_credits_after <> a.pending_credits OR e.booked_at <> a.last_booked_at");
    check(
        broken,
        "booking times never go back and are never before the entry's own time",
        "SELECT account_id, seq FROM (SELECT account_id, seq, booked_at, created_at,"
            + " lag(booked_at) OVER (PARTITION BY account_id ORDER BY seq) AS prev FROM entries"
            + " WHERE account_id IN "
            + touched
            + ") x"
            + " WHERE booked_at < prev OR booked_at < created_at OR booked_at IS NULL");
    JournalVerifier.Audit audit =
        await(
            new JournalVerifier(new ReadRouter(pools.primary(), pools.primary(), Duration.ZERO))
                .auditRecent(Duration.ofSeconds(sinceSeconds)),
            queryLimit);
    if (audit.broken() > 0) {
      broken.add(
          "each entry's hash chains from the previous one ("
              + audit.broken()
              + " violations, first: "
              + audit.firstBroken()
              + ")");
    }
    if (!broken.isEmpty()) {
      throw new AssertionError("ledger invariants broken: " + broken);
    }
  }

  private void check(List<String> broken, String invariant, String violationsSql) {
    List<Row> rows = query(violationsSql);
    if (!rows.isEmpty()) {
      broken.add(
          invariant + " (" + rows.size() + " violations, first: " + rows.get(0).toJson() + ")");
    }
  }

  @Override
  public void close() {
    await(pools.close());
  }
}
