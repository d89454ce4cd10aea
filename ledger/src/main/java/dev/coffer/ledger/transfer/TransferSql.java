package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Every SQL statement about transfers. The rules themselves live in the coffer_* functions. */
final class TransferSql {
  private static final String MOVE =
      "SELECT * FROM coffer_book($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)";
  // Group commit (changeset 013): the refused items come back as rows; the booked ones are read
  // back by id in the same transaction.
  private static final String BOOKED = "SELECT * FROM transfers WHERE id = ANY($1)";
  private static final String REVERSE = "SELECT * FROM coffer_reverse($1, $2, $3, $4, $5, $6)";
  private static final String SETTLE = "SELECT * FROM coffer_settle($1, $2, $3, $4, $5)";
  private static final String LOCK_FOR_MOVES = "SELECT coffer_lock_group($1, $2, $3)";
  // A pending transfer past its expiry reads as expired, whether or not the sweeper has come by.
  private static final String FIND =
      "SELECT t.id, t.kind, t.from_account_id, t.to_account_id, t.amount, t.currency,"
          + " CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired'"
          + " ELSE t.status END AS status,"
          + " t.description, t.created_at, t.posted_at, t.expires_at, t.reversal_of,"
          + " t.reversed_amount, t.captured_amount, t.metadata, t.effective_at, t.transaction_id"
          + " FROM transfers t WHERE t.id = $1 AND EXISTS (SELECT 1 FROM accounts a"
          + " WHERE a.id IN (t.from_account_id, t.to_account_id) AND a.owner_id = $2)";
  // The caller's transfers, newest first, after the keyset $3. Gathered per owned account (one
  // or all, $2), from each side's (account, id) index: at most $9 newest matches from each, so
  // the work is bounded by accounts x page size. One row of NULLs: an empty page; no row: $2 is
  // not the caller's account.
  private static final String FILTERS =
      " AND id < $3 AND ($4::text IS NULL OR kind = $4)"
          + " AND ($5::text IS NULL OR CASE WHEN status = 'pending' AND expires_at <= now()"
          + " THEN 'expired' ELSE status END = $5)"
          + " AND ($6::timestamptz IS NULL OR created_at >= $6)"
          + " AND ($7::timestamptz IS NULL OR created_at < $7)"
          + " AND ($8::jsonb IS NULL OR metadata @> $8)"
          + " ORDER BY id DESC LIMIT $9)";
  private static final String PAGE =
      "SELECT t.id, t.kind, t.from_account_id, t.to_account_id, t.amount, t.currency,"
          + " CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired'"
          + " ELSE t.status END AS status,"
          + " t.description, t.created_at, t.posted_at, t.expires_at, t.reversal_of,"
          + " t.reversed_amount, t.captured_amount, t.metadata, t.effective_at, t.transaction_id"
          + " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM transfers WHERE id IN ("
          + "SELECT x.id FROM accounts a CROSS JOIN LATERAL ("
          + "(SELECT id FROM transfers WHERE from_account_id = a.id"
          + FILTERS
          + " UNION ALL (SELECT id FROM transfers WHERE to_account_id = a.id"
          + FILTERS
          + ") x WHERE a.owner_id = $1 AND ($2::uuid IS NULL OR a.id = $2))"
          + " ORDER BY id DESC LIMIT $9) t ON true"
          + " WHERE $2::uuid IS NULL OR EXISTS (SELECT 1 FROM accounts WHERE id = $2 AND owner_id = $1)"
          + " ORDER BY t.id DESC";
  // With a status filter (issue 27, finding 5): a rare status (voided, say) among a long history
  // made each account's walk filter out every other transfer. Here each side is read from the
  // (account, status, id) index (changeset 020) for the stored status $10, and $11 (a second one,
  // or NULL: no rows): 'expired' is stored as such once swept, and as 'pending' past its
  // expires_at until then. Every row such a walk reads matches but for that last rule (a pending
  // transfer past its expiry and not yet swept, which the sweeper keeps few), so the work is
  // again bounded by accounts x page size.
  private static final String PAGE_BY_STATUS =
      "SELECT t.id, t.kind, t.from_account_id, t.to_account_id, t.amount, t.currency,"
          + " CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired'"
          + " ELSE t.status END AS status,"
          + " t.description, t.created_at, t.posted_at, t.expires_at, t.reversal_of,"
          + " t.reversed_amount, t.captured_amount, t.metadata, t.effective_at, t.transaction_id"
          + " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM transfers WHERE id IN ("
          + "SELECT x.id FROM accounts a CROSS JOIN LATERAL ("
          + "(SELECT id FROM transfers WHERE from_account_id = a.id AND status = $10"
          + FILTERS
          + " UNION ALL (SELECT id FROM transfers WHERE to_account_id = a.id AND status = $10"
          + FILTERS
          + " UNION ALL (SELECT id FROM transfers WHERE from_account_id = a.id AND status = $11"
          + FILTERS
          + " UNION ALL (SELECT id FROM transfers WHERE to_account_id = a.id AND status = $11"
          + FILTERS
          + ") x WHERE a.owner_id = $1 AND ($2::uuid IS NULL OR a.id = $2))"
          + " ORDER BY id DESC LIMIT $9) t ON true"
          + " WHERE $2::uuid IS NULL OR EXISTS (SELECT 1 FROM accounts WHERE id = $2 AND owner_id = $1)"
          + " ORDER BY t.id DESC";
  private static final String EXPIRE_DUE = "SELECT coffer_expire_due($1)";
  private static final String EXPIRE_DUE_ACCOUNTS =
      "SELECT expired, accounts, next_due_ms FROM coffer_expire_due_accounts($1)";

  private static final UUID MAX_UUID = new UUID(-1L, -1L);

  private TransferSql() {}

  static Future<Transfer> move(SqlConnection conn, UUID owner, TransferRequest request) {
    return conn.preparedQuery(MOVE)
        .execute(moveArgs(Uuids.timeOrdered(), owner, request))
        .map(TransferSql::single);
  }

  /**
   * Books {@code requests} (item i asked by {@code owners} i, booked with id {@code ids} i) in one
   * call, as {@code booking} says. The answer has an entry per item: its booked transfer, or its
   * refusal.
   */
  static Future<List<Future<Transfer>>> bookGroup(
      SqlConnection conn,
      GroupBooking booking,
      List<UUID> ids,
      List<UUID> owners,
      List<TransferRequest> requests) {
    int n = requests.size();
    Ends ends = Ends.of(requests);
    Long[] amounts = new Long[n];
    Integer[] pendingSeconds = new Integer[n];
    String[] descriptions = new String[n];
    String[] metadata = new String[n];
    String[] terms = new String[n];
    for (int i = 0; i < n; i++) {
      TransferRequest r = requests.get(i);
      amounts[i] = r.amount();
      pendingSeconds[i] = r.pendingFor() == null ? null : (int) r.pendingFor().toSeconds();
      descriptions[i] = r.description();
      JsonObject json = Metadata.json(r.metadata());
      metadata[i] = json == null ? null : json.encode();
      JsonObject asked = r.terms().json();
      terms[i] = asked == null ? null : asked.encode();
    }
    UUID[] idArray = ids.toArray(UUID[]::new);
    Tuple args =
        Tuple.from(
            new Object[] {
              idArray,
              ends.kinds(),
              ends.froms(),
              ends.tos(),
              amounts,
              owners.toArray(UUID[]::new),
              pendingSeconds,
              descriptions,
              metadata,
              terms
            });
    Future<RowSet<Row>> refused = conn.preparedQuery(booking.sql).execute(args);
    Future<RowSet<Row>> booked =
        conn.preparedQuery(BOOKED).execute(Tuple.from(new Object[] {idArray}));
    return refused.compose(
        refusals ->
            booked.map(
                rows -> {
                  Map<UUID, Transfer> byId = new HashMap<>();
                  rows.forEach(row -> byId.put(row.getUUID("id"), Transfer.from(row)));
                  List<Future<Transfer>> outcomes = new ArrayList<>(n);
                  ids.forEach(id -> outcomes.add(null));
                  refusals.forEach(
                      row ->
                          outcomes.set(
                              row.getInteger("item") - 1, Future.failedFuture(refusal(row))));
                  for (int i = 0; i < n; i++) {
                    if (outcomes.get(i) == null) {
                      Transfer transfer = byId.get(ids.get(i));
                      if (transfer == null) {
                        // Never expected; fails the whole group's transaction rather than commit
                        // a booking whose answer could not be stored.
                        throw new IllegalStateException("a booked transfer was not found");
                      }
                      outcomes.set(i, Future.succeededFuture(transfer));
                    }
                  }
                  return outcomes;
                }));
  }

  private static Throwable refusal(Row row) {
    String state = row.getString("error_code");
    String message = row.getString("error_message");
    LedgerException refusal =
        WriteTransactions.refusal(
            state, message, row.getString("error_constraint"), row.getString("error_detail"));
    return refusal != null
        ? refusal
        : new IllegalStateException("booking failed: " + state + " " + message);
  }

  static Future<Transfer> settle(SqlConnection conn, UUID owner, Settle settle) {
    return conn.preparedQuery(SETTLE)
        .execute(
            Tuple.of(
                settle.transferId(),
                owner,
                settle.outcome().wire(),
                settle.amount(),
                settle.isFinal()))
        .map(TransferSql::single);
  }

  static Future<Transfer> reverse(SqlConnection conn, UUID owner, Reversal r) {
    return conn.preparedQuery(REVERSE)
        .execute(
            Tuple.from(
                new Object[] {
                  Uuids.timeOrdered(),
                  r.original(),
                  owner,
                  r.amount(),
                  r.description(),
                  Metadata.json(r.metadata())
                }))
        .map(TransferSql::single);
  }

  /**
   * Locks every account {@code requests} will touch, once, in id order (the order every write takes
   * them in): their payers and payees, the settlement shards of their deposits and withdrawals, and
   * the payees of the payers' overdue reservations, which booking releases first.
   */
  static Future<Void> lockForMoves(SqlConnection conn, List<TransferRequest> requests) {
    Ends ends = Ends.of(requests);
    return conn.preparedQuery(LOCK_FOR_MOVES)
        .execute(Tuple.of(ends.kinds(), ends.froms(), ends.tos()))
        .mapEmpty();
  }

  // The kinds and the two accounts of a list of moves, as the arrays the group functions take.
  private record Ends(String[] kinds, UUID[] froms, UUID[] tos) {
    static Ends of(List<TransferRequest> requests) {
      int n = requests.size();
      Ends ends = new Ends(new String[n], new UUID[n], new UUID[n]);
      for (int i = 0; i < n; i++) {
        TransferRequest r = requests.get(i);
        ends.kinds[i] = r.kind().wire();
        ends.froms[i] = r.from();
        ends.tos[i] = r.to();
      }
      return ends;
    }
  }

  static Future<Transfer> find(SqlClient client, UUID owner, UUID id) {
    return client
        .preparedQuery(FIND)
        .execute(Tuple.of(id, owner))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such transfer");
              }
              return single(rows);
            });
  }

  static Future<List<Transfer>> page(
      SqlClient client, UUID owner, TransferFilter f, UUID before, int limit) {
    String sql = pageStatement(f);
    Tuple args = pageArgs(owner, f, before, limit);
    return client
        .preparedQuery(sql)
        .execute(args)
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such account");
              }
              List<Transfer> page = new ArrayList<>();
              rows.forEach(
                  row -> {
                    if (row.getValue("id") != null) {
                      page.add(Transfer.from(row));
                    }
                  });
              return page;
            });
  }

  /** The arguments of {@link #pageStatement}. */
  static Tuple pageArgs(UUID owner, TransferFilter f, UUID before, int limit) {
    JsonObject metadata =
        f.metadataKey() == null ? null : new JsonObject().put(f.metadataKey(), f.metadataValue());
    Tuple args =
        Tuple.of(
            owner,
            f.account(),
            before == null ? MAX_UUID : before,
            f.kind() == null ? null : f.kind().wire(),
            f.status() == null ? null : f.status().wire(),
            f.from(),
            f.to(),
            metadata,
            limit);
    if (f.status() != null) {
      args.addString(f.status().wire());
      // An expired transfer not yet swept is still stored as pending.
      args.addString(f.status() == TransferStatus.EXPIRED ? TransferStatus.PENDING.wire() : null);
    }
    return args;
  }

  /** The statement {@link #page} runs for {@code f}: what a test asks the planner about. */
  static String pageStatement(TransferFilter f) {
    return f.status() == null ? PAGE : PAGE_BY_STATUS;
  }

  static Future<Integer> expireDue(SqlClient client, int limit) {
    return client
        .preparedQuery(EXPIRE_DUE)
        .execute(Tuple.of(limit))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  static Future<Sweep> sweepDue(SqlClient client, int limit) {
    return client
        .preparedQuery(EXPIRE_DUE_ACCOUNTS)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              Long next = row.getLong("next_due_ms");
              return new Sweep(
                  row.getInteger("expired"),
                  List.of(row.getArrayOfUUIDs("accounts")),
                  next == null ? Long.MAX_VALUE : next);
            });
  }

  static Tuple moveArgs(UUID id, UUID owner, TransferRequest r) {
    Integer pendingSeconds = r.pendingFor() == null ? null : (int) r.pendingFor().toSeconds();
    return Tuple.from(
        new Object[] {
          id,
          r.kind().wire(),
          r.from(),
          r.to(),
          r.amount(),
          owner,
          pendingSeconds,
          r.description(),
          Metadata.json(r.metadata()),
          r.terms().json()
        });
  }

  static List<UUID> ids(Iterable<Row> rows) {
    List<UUID> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.getUUID(0)));
    return ids;
  }

  private static Transfer single(RowSet<Row> rows) {
    return Transfer.from(rows.iterator().next());
  }
}
