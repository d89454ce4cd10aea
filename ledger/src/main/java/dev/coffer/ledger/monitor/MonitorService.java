package dev.coffer.ledger.monitor;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Balance monitors of an account: add, list, remove. Firing is the database's (changeset 031,
 * coffer_monitor_crossings): in the transaction of the move that makes a condition true.
 */
public final class MonitorService {
  /** Monitors one account may have at once: each costs every move of the account a comparison. */
  public static final int MAX_PER_ACCOUNT = 20;

  public static final Set<String> FIELDS =
      Set.of("balance", "available", "pendingDebits", "pendingCredits");
  public static final Set<String> OPERATORS = Set.of("<", "<=", ">", ">=");

  private static final String COLUMNS =
      "id, account_id, field, operator, threshold, description, fired_count, last_fired_at,"
          + " created_at";
  // The account's row lock orders every change of its monitors (and of its monitored flag)
  // against the others and against moves: the flag is never left false beside a monitor.
  private static final String LOCK =
      "SELECT (SELECT count(*) FROM balance_monitors WHERE account_id = a.id) AS monitors"
          + " FROM accounts a WHERE a.id = $1 AND a.owner_id = $2 AND a.kind = 'user' FOR UPDATE";
  private static final String INSERT =
      "INSERT INTO balance_monitors (id, account_id, owner_id, field, operator, threshold,"
          + " description) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "
          + COLUMNS;
  private static final String MARK =
      "UPDATE accounts SET monitored = EXISTS (SELECT 1 FROM balance_monitors"
          + " WHERE account_id = $1) WHERE id = $1";
  private static final String DELETE =
      "DELETE FROM balance_monitors WHERE id = $1 AND account_id = $2 RETURNING id";
  private static final String LIST =
      "SELECT a.id AS owned, m.* FROM accounts a LEFT JOIN balance_monitors m"
          + " ON m.account_id = a.id WHERE a.id = $1 AND a.owner_id = $2 ORDER BY m.id";

  private final WriteTransactions writes;
  private final ReadRouter reads;

  public MonitorService(WriteTransactions writes, ReadRouter reads) {
    this.writes = writes;
    this.reads = reads;
  }

  /** Adds a monitor to {@code owner}'s account; it fires from the next move that makes it true. */
  public Future<Committed<Monitor>> add(
      UUID owner, UUID account, String field, String operator, long threshold, String description) {
    if (!FIELDS.contains(field) || !OPERATORS.contains(operator)) {
      return Future.failedFuture(
          new LedgerException(
              LedgerError.VALIDATION,
              "field is one of balance, available, pendingDebits, pendingCredits;"
                  + " operator one of <, <=, >, >="));
    }
    return writes.run(
        conn ->
            lock(conn, owner, account)
                .compose(
                    monitors -> {
                      if (monitors >= MAX_PER_ACCOUNT) {
                        throw new LedgerException(
                            LedgerError.VALIDATION,
                            "an account has at most " + MAX_PER_ACCOUNT + " monitors");
                      }
                      return conn.preparedQuery(INSERT)
                          .execute(
                              Tuple.from(
                                  new Object[] {
                                    Uuids.timeOrdered(),
                                    account,
                                    owner,
                                    field,
                                    operator,
                                    threshold,
                                    description
                                  }));
                    })
                .compose(
                    rows ->
                        conn.preparedQuery(MARK)
                            .execute(Tuple.of(account))
                            .map(v -> Monitor.from(rows.iterator().next()))));
  }

  /** Removes a monitor of {@code owner}'s account; not-found when there is no such one. */
  public Future<Committed<Void>> remove(UUID owner, UUID account, UUID monitor) {
    return writes.run(
        conn ->
            lock(conn, owner, account)
                .compose(n -> conn.preparedQuery(DELETE).execute(Tuple.of(monitor, account)))
                .compose(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such monitor");
                      }
                      return conn.preparedQuery(MARK).execute(Tuple.of(account));
                    })
                .mapEmpty());
  }

  /** The monitors of {@code owner}'s account, oldest first. */
  public Future<List<Monitor>> list(UUID owner, UUID account, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(LIST)
                .execute(Tuple.of(account, owner))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
                      }
                      List<Monitor> monitors = new ArrayList<>();
                      for (Row row : rows) {
                        if (row.getUUID("id") != null) {
                          monitors.add(Monitor.from(row));
                        }
                      }
                      return monitors;
                    }));
  }

  private static Future<Long> lock(SqlConnection conn, UUID owner, UUID account) {
    return conn.preparedQuery(LOCK)
        .execute(Tuple.of(account, owner))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
              }
              return rows.iterator().next().getLong("monitors");
            });
  }
}
