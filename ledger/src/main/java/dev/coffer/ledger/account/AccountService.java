package dev.coffer.ledger.account;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.UUID;

/** Opens and reads accounts. */
public final class AccountService {
  private static final String COLUMNS =
      "id, name, currency, balance, pending_debits, pending_credits, overdraft_limit, created_at,"
          + " last_seq";
  private static final String INSERT =
      "INSERT INTO accounts (id, owner_id, name, currency, overdraft_limit) VALUES ($1, $2, $3, $4, $5)"
          + " RETURNING "
          + COLUMNS;
  // Reservations past their expiry hold nothing, whether or not the sweeper has come by.
  private static final String READ_COLUMNS =
      "id, name, currency, balance,"
          + " pending_debits - coffer_due_debits(id, now()) AS pending_debits,"
          + " pending_credits - coffer_due_credits(id, now()) AS pending_credits,"
          + " overdraft_limit, created_at, last_seq";
  private static final String GET =
      "SELECT " + READ_COLUMNS + " FROM accounts WHERE id = $1 AND owner_id = $2";
  // UUIDv7 ids sort by creation time: keyset on id is oldest first, with no gap or duplicate.
  private static final String PAGE =
      "SELECT "
          + READ_COLUMNS
          + " FROM accounts WHERE owner_id = $1 AND id > $2 ORDER BY id LIMIT $3";

  private final WriteTransactions writes;
  private final ReadRouter reads;

  public AccountService(WriteTransactions writes, ReadRouter reads) {
    this.writes = writes;
    this.reads = reads;
  }

  /** Opens an account in an ISO 4217 currency. */
  public Future<Committed<Account>> open(
      UUID owner, String currency, String name, long overdraftLimit) {
    if (currency == null || !currency.matches("[A-Z]{3}") || !isIso4217(currency)) {
      return Future.failedFuture(
          new LedgerException(LedgerError.VALIDATION, "currency must be an ISO 4217 code"));
    }
    if (overdraftLimit < 0 || overdraftLimit > 1_000_000_000_000_000L) {
      return Future.failedFuture(
          new LedgerException(
              LedgerError.VALIDATION, "overdraftLimit must be between 0 and 10^15"));
    }
    return writes.run(
        conn ->
            conn.preparedQuery(INSERT)
                .execute(Tuple.of(Uuids.timeOrdered(), owner, name, currency, overdraftLimit))
                .map(rows -> Account.from(rows.iterator().next())));
  }

  private static boolean isIso4217(String code) {
    try {
      Currency.getInstance(code);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** One of {@code owner}'s accounts; not-found for anyone else's. */
  public Future<Account> get(UUID owner, UUID id, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(GET)
                .execute(Tuple.of(id, owner))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
                      }
                      return Account.from(rows.iterator().next());
                    }));
  }

  /** A page of {@code owner}'s accounts after {@code after} (null: from the first). */
  public Future<List<Account>> page(UUID owner, UUID after, int limit, ConsistencyToken token) {
    UUID from = after == null ? new UUID(0, 0) : after;
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(PAGE)
                .execute(Tuple.of(owner, from, limit))
                .map(
                    rows -> {
                      List<Account> page = new ArrayList<>();
                      rows.forEach(row -> page.add(Account.from(row)));
                      return page;
                    }));
  }
}
