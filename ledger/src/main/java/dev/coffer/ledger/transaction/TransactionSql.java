package dev.coffer.ledger.transaction;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.id.Uuids;
import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.Transfer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Every SQL statement about transactions. The rules live in coffer_book_transaction. */
final class TransactionSql {
  private static final String BOOK =
      "SELECT id FROM coffer_book_transaction($1, $2, $3, $4, $5, $6, $7,"
          + " $8::text[]::jsonb[], $9, $10, $11)";
  private static final String TRANSFER_COLUMNS =
      "t.id, t.kind, t.from_account_id, t.to_account_id, t.amount, t.currency,"
          + " CASE WHEN t.status = 'pending' AND t.expires_at <= now() THEN 'expired'"
          + " ELSE t.status END AS status,"
          + " t.description, t.created_at, t.posted_at, t.expires_at, t.reversal_of,"
          + " t.reversed_amount, t.captured_amount, t.metadata, t.effective_at, t.transaction_id";
  private static final String FIND =
      "SELECT id, description, metadata, created_at, effective_at, conversion FROM transactions"
          + " WHERE id = $1 AND owner_id = $2";
  // The legs of the transactions $1, in the order they were asked (their ids are made so).
  private static final String LEGS =
      "SELECT "
          + TRANSFER_COLUMNS
          + " FROM transfers t WHERE t.transaction_id = ANY($1)"
          + " ORDER BY t.transaction_id, t.id";
  private static final String PAGE =
      "SELECT id, description, metadata, created_at, effective_at, conversion FROM transactions"
          + " WHERE owner_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

  private static final String CONVERT =
      "SELECT id FROM coffer_convert($1, $2, $3, $4, $5, $6, $7::text::numeric, $8, $9)";

  private static final UUID MAX_UUID = new UUID(-1L, -1L);

  private TransactionSql() {}

  /** Books {@code request} as transaction {@code id}, its legs numbered from it; answers it. */
  static Future<Transaction> book(
      SqlConnection conn, UUID id, UUID owner, TransactionRequest request) {
    int n = request.legs().size();
    UUID[] legIds = new UUID[n];
    UUID[] froms = new UUID[n];
    UUID[] tos = new UUID[n];
    Long[] amounts = new Long[n];
    String[] descriptions = new String[n];
    String[] metadata = new String[n];
    for (int i = 0; i < n; i++) {
      Leg leg = request.legs().get(i);
      legIds[i] = legId(id, i);
      froms[i] = leg.from();
      tos[i] = leg.to();
      amounts[i] = leg.amount();
      descriptions[i] = leg.description();
      JsonObject json = Metadata.json(leg.metadata());
      metadata[i] = json == null ? null : json.encode();
    }
    Tuple args =
        Tuple.from(
            new Object[] {
              id,
              owner,
              legIds,
              froms,
              tos,
              amounts,
              descriptions,
              metadata,
              request.description(),
              Metadata.json(request.metadata()),
              request.terms().json()
            });
    return conn.preparedQuery(BOOK).execute(args).compose(booked -> find(conn, owner, id));
  }

  /** Books {@code request} as conversion {@code id}; answers it. */
  static Future<Transaction> convert(
      SqlConnection conn, UUID id, UUID owner, ConversionRequest request) {
    Tuple args =
        Tuple.from(
            new Object[] {
              id,
              owner,
              new UUID[] {legId(id, 0), legId(id, 1)},
              request.from(),
              request.to(),
              request.amount(),
              request.rate().toPlainString(),
              request.description(),
              Metadata.json(request.metadata())
            });
    return conn.preparedQuery(CONVERT).execute(args).compose(booked -> find(conn, owner, id));
  }

  private static final long LEG_BITS = 0x7FL;

  // A transaction's id: a UUIDv7 whose last seven bits are all ones, a value no leg index takes,
  // so no leg ever shares its transaction's id (a random id ended in seven zero bits once in 128
  // transactions, and leg 0 then answered to the transaction's id in events and lookups).
  static UUID newTransactionId() {
    UUID random = Uuids.timeOrdered();
    return new UUID(random.getMostSignificantBits(), random.getLeastSignificantBits() | LEG_BITS);
  }

  // Leg i's id: the transaction's, with its last seven bits set to i (leg ids sort in leg order,
  // before the transaction's own, and stay version 7 UUIDs; 100 legs fit in seven bits).
  static UUID legId(UUID transaction, int index) {
    return new UUID(
        transaction.getMostSignificantBits(),
        (transaction.getLeastSignificantBits() & ~LEG_BITS) | index);
  }

  static Future<Transaction> find(SqlClient client, UUID owner, UUID id) {
    return client
        .preparedQuery(FIND)
        .execute(Tuple.of(id, owner))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such transaction");
              }
              return withLegs(client, rows).map(list -> list.get(0));
            });
  }

  static Future<List<Transaction>> page(SqlClient client, UUID owner, UUID before, int limit) {
    return client
        .preparedQuery(PAGE)
        .execute(Tuple.of(owner, before == null ? MAX_UUID : before, limit))
        .compose(rows -> withLegs(client, rows));
  }

  private static Future<List<Transaction>> withLegs(SqlClient client, RowSet<Row> heads) {
    if (heads.size() == 0) {
      return Future.succeededFuture(List.of());
    }
    Map<UUID, Row> byId = new LinkedHashMap<>();
    heads.forEach(row -> byId.put(row.getUUID("id"), row));
    return client
        .preparedQuery(LEGS)
        .execute(Tuple.of(byId.keySet().toArray(UUID[]::new)))
        .map(
            rows -> {
              Map<UUID, List<Transfer>> legs = new LinkedHashMap<>();
              rows.forEach(
                  row ->
                      legs.computeIfAbsent(row.getUUID("transaction_id"), k -> new ArrayList<>())
                          .add(Transfer.from(row)));
              List<Transaction> found = new ArrayList<>(byId.size());
              byId.forEach(
                  (id, row) -> found.add(Transaction.from(row, legs.getOrDefault(id, List.of()))));
              return found;
            });
  }
}
