package dev.coffer.api.chaos;

import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the primary holds about the run's accounts and users, read straight from the tables after
 * the load: the auditor compares it with what the clients saw.
 */
record LedgerSnapshot(
    List<StoredTransfer> transfers,
    Map<UUID, Long> balances,
    List<StoredKey> keys,
    String invariantsBroken) {

  /** A row of {@code transfers} with the run's account on at least one side. */
  record StoredTransfer(UUID id, String kind, UUID from, UUID to, long amount, String status) {}

  /**
   * A row of {@code idempotency_keys} of a run's user, with the transfers its stored answer names
   * (one, or a batch's in order).
   */
  record StoredKey(UUID user, String key, int status, List<UUID> transferIds) {}

  // The long run's audit reads millions of rows on a shared machine: minutes, not seconds.
  static final Duration AUDIT_LIMIT = Duration.ofMinutes(30);

  static LedgerSnapshot read(
      LedgerFixture ledger, Collection<UUID> accounts, Collection<UUID> users) {
    Tuple accountIds = Tuple.tuple().addArrayOfUUID(accounts.toArray(UUID[]::new));
    List<StoredTransfer> transfers = new ArrayList<>();
    for (Row row :
        rows(
            ledger,
            "SELECT id, kind, from_account_id, to_account_id, amount, status FROM transfers"
                + " WHERE from_account_id = ANY($1) OR to_account_id = ANY($1)",
            accountIds)) {
      transfers.add(
          new StoredTransfer(
              row.getUUID(0),
              row.getString(1),
              row.getUUID(2),
              row.getUUID(3),
              row.getLong(4),
              row.getString(5)));
    }
    Map<UUID, Long> balances = new HashMap<>();
    for (Row row :
        rows(ledger, "SELECT id, balance FROM accounts WHERE id = ANY($1)", accountIds)) {
      balances.put(row.getUUID(0), row.getLong(1));
    }
    List<StoredKey> keys = new ArrayList<>();
    for (Row row :
        rows(
            ledger,
            "SELECT user_id, key, response_status, response_body FROM idempotency_keys"
                + " WHERE user_id = ANY($1)",
            Tuple.tuple().addArrayOfUUID(users.toArray(UUID[]::new)))) {
      String body = new String(row.getBuffer(3).getBytes(), StandardCharsets.UTF_8);
      List<UUID> ids = new ArrayList<>();
      if (body.startsWith("{")) {
        JsonObject answer = new JsonObject(body);
        if (answer.containsKey("legs")) { // a transaction: its legs are its transfers
          answer
              .getJsonArray("legs")
              .forEach(t -> ids.add(UUID.fromString(((JsonObject) t).getString("id"))));
        } else if (answer.containsKey("data")) {
          answer
              .getJsonArray("data")
              .forEach(t -> ids.add(UUID.fromString(((JsonObject) t).getString("id"))));
        } else if (answer.getString("id") != null) {
          ids.add(UUID.fromString(answer.getString("id")));
        }
      }
      keys.add(new StoredKey(row.getUUID(0), row.getString(1), row.getInteger(2), ids));
    }
    String broken = null;
    try {
      ledger.assertInvariants();
    } catch (AssertionError e) {
      broken = e.getMessage();
    }
    // The webhook outbox is written in each transfer's own transaction: across failovers, every
    // transfer of the run has exactly one transfer.created event for each owner of its accounts.
    List<Row> outbox =
        rows(
            ledger,
            "SELECT t.id, a.owner_id, (SELECT count(*) FROM events e WHERE e.transfer_id = t.id"
                + " AND e.owner_id = a.owner_id AND e.type = 'transfer.created') AS n"
                + " FROM transfers t JOIN accounts a ON a.id IN (t.from_account_id, t.to_account_id)"
                + " WHERE (t.from_account_id = ANY($1) OR t.to_account_id = ANY($1))"
                + " AND a.owner_id IS NOT NULL",
            accountIds);
    List<String> outboxBroken =
        outbox.stream()
            .filter(row -> row.getLong(2) != 1)
            .map(row -> row.getUUID(0) + " has " + row.getLong(2) + " events for its owner")
            .limit(5)
            .toList();
    if (!outboxBroken.isEmpty()) {
      broken =
          (broken == null ? "" : broken + "; ")
              + "the webhook outbox misses or repeats transfer.created events: "
              + outboxBroken;
    }
    return new LedgerSnapshot(transfers, balances, keys, broken);
  }

  private static List<Row> rows(LedgerFixture ledger, String sql, Tuple args) {
    List<Row> rows = new ArrayList<>();
    LedgerFixture.await(ledger.pools.primary().preparedQuery(sql).execute(args), AUDIT_LIMIT)
        .forEach(rows::add);
    return rows;
  }
}
