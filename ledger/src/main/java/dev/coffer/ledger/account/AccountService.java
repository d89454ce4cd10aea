package dev.coffer.ledger.account;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import dev.coffer.ledger.transfer.Metadata;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Opens, reads, lists, changes, closes and reopens accounts. */
public final class AccountService {
  private static final String COLUMNS =
      "id, name, currency, balance, pending_debits, pending_credits, overdraft_limit, created_at,"
          + " last_seq, metadata, closed_at";
  private static final String INSERT =
      "INSERT INTO accounts (id, owner_id, name, currency, overdraft_limit, metadata)"
          + " VALUES ($1, $2, $3, $4, $5, $6) RETURNING "
          + COLUMNS;
  // Reservations past their expiry hold nothing, whether or not the sweeper has come by.
  private static final String READ_COLUMNS =
      "id, name, currency, balance,"
          + " pending_debits - coffer_due_debits(id, now()) AS pending_debits,"
          + " pending_credits - coffer_due_credits(id, now()) AS pending_credits,"
          + " overdraft_limit, created_at, last_seq, metadata, closed_at";
  private static final String GET =
      "SELECT " + READ_COLUMNS + " FROM accounts WHERE id = $1 AND owner_id = $2";
  // UUIDv7 ids sort by creation time: keyset on id is oldest first, with no gap or duplicate.
  private static final String PAGE =
      "SELECT "
          + READ_COLUMNS
          + " FROM accounts WHERE owner_id = $1 AND id > $2"
          + " AND ($4::text IS NULL OR name = $4)"
          + " AND ($5::jsonb IS NULL OR metadata @> $5)"
          + " AND ($6::boolean IS NULL OR (closed_at IS NOT NULL) = $6)"
          + " ORDER BY id LIMIT $3";
  private static final String UPDATE =
      "UPDATE accounts SET name = CASE WHEN $3 THEN $4 ELSE name END,"
          + " metadata = CASE WHEN $5 THEN $6::jsonb ELSE metadata END"
          + " WHERE id = $1 AND owner_id = $2 AND kind = 'user' RETURNING "
          + READ_COLUMNS;
  private static final String CLOSE = "SELECT coffer_close_account($1, $2, $3, $4, $5) AS swept";
  private static final String REOPEN =
      "UPDATE accounts SET closed_at = NULL WHERE id = $1 AND owner_id = $2 AND kind = 'user'"
          + " RETURNING "
          + READ_COLUMNS;

  private final WriteTransactions writes;
  private final ReadRouter reads;

  public AccountService(WriteTransactions writes, ReadRouter reads) {
    this.writes = writes;
    this.reads = reads;
  }

  /** Opens an account in an ISO 4217 currency. */
  public Future<Committed<Account>> open(
      UUID owner, String currency, String name, long overdraftLimit) {
    return open(owner, currency, name, overdraftLimit, Map.of());
  }

  /** Opens an account in an ISO 4217 currency, with metadata to find it by. */
  public Future<Committed<Account>> open(
      UUID owner, String currency, String name, long overdraftLimit, Map<String, String> metadata) {
    Map<String, String> checked;
    try {
      checked = Metadata.checked(metadata);
    } catch (LedgerException e) {
      return Future.failedFuture(e);
    }
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
                .execute(
                    Tuple.of(
                        Uuids.timeOrdered(),
                        owner,
                        name,
                        currency,
                        overdraftLimit,
                        Metadata.json(checked)))
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
    return page(owner, AccountFilter.NONE, after, limit, token);
  }

  /** A page of {@code owner}'s accounts matching {@code filter}, after {@code after}. */
  public Future<List<Account>> page(
      UUID owner, AccountFilter filter, UUID after, int limit, ConsistencyToken token) {
    UUID from = after == null ? new UUID(0, 0) : after;
    JsonObject metadata =
        filter.metadataKey() == null
            ? null
            : new JsonObject().put(filter.metadataKey(), filter.metadataValue());
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(PAGE)
                .execute(Tuple.of(owner, from, limit, filter.name(), metadata, filter.closed()))
                .map(
                    rows -> {
                      List<Account> page = new ArrayList<>();
                      rows.forEach(row -> page.add(Account.from(row)));
                      return page;
                    }));
  }

  /** Renames {@code owner}'s account and/or replaces its metadata. */
  public Future<Committed<Account>> change(UUID owner, UUID id, AccountChange change) {
    Map<String, String> metadata;
    try {
      metadata = change.setMetadata() ? Metadata.checked(change.metadata()) : Map.of();
    } catch (LedgerException e) {
      return Future.failedFuture(e);
    }
    return writes.run(
        conn ->
            conn.preparedQuery(UPDATE)
                .execute(
                    Tuple.of(
                        id,
                        owner,
                        change.setName(),
                        change.name(),
                        change.setMetadata(),
                        Metadata.json(metadata)))
                .map(AccountService::only));
  }

  /**
   * Closes {@code owner}'s account, first moving its balance to {@code sweepTo} (null: refused
   * unless the balance is zero) as transfer {@code sweepId}, in one transaction.
   */
  public Future<Committed<Closing>> close(
      UUID owner, UUID id, UUID sweepTo, UUID sweepId, String description) {
    return writes.run(
        conn ->
            conn.preparedQuery(CLOSE)
                .execute(Tuple.of(id, owner, sweepTo, sweepId, description))
                .compose(
                    swept -> {
                      UUID sweep = swept.iterator().next().getUUID("swept");
                      return conn.preparedQuery(GET)
                          .execute(Tuple.of(id, owner))
                          .map(
                              rows ->
                                  new Closing(only(rows), sweep == null ? null : sweepTo, sweep));
                    }));
  }

  /** Reopens {@code owner}'s account (an open one stays open). */
  public Future<Committed<Account>> reopen(UUID owner, UUID id) {
    return writes.run(
        conn -> conn.preparedQuery(REOPEN).execute(Tuple.of(id, owner)).map(AccountService::only));
  }

  private static Account only(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
    }
    return Account.from(rows.iterator().next());
  }

  /**
   * A closed account, and the transfer that swept its balance to {@code sweptTo} (both null when
   * nothing moved).
   */
  public record Closing(Account account, UUID sweptTo, UUID sweepTransferId) {}
}
