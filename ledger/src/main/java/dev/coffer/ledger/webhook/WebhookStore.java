package dev.coffer.ledger.webhook;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Every SQL statement about webhook endpoints, events and their deliveries. */
public final class WebhookStore {
  /** An endpoint a user registered; its secret is only ever answered on creation. */
  public record Endpoint(
      UUID id, String url, List<String> eventTypes, OffsetDateTime createdAt, String secret) {}

  /** An event as the API shows and sends it. */
  public record Event(UUID id, String type, OffsetDateTime createdAt, JsonObject data) {}

  /**
   * One claimed delivery attempt: number {@code attempt} of {@code event} to {@code url}; {@code
   * traceparent} is the trace context of the write that produced the event (null: not traced).
   */
  public record Delivery(
      UUID eventId,
      UUID endpointId,
      int attempt,
      Event event,
      String url,
      String secret,
      String traceparent) {}

  /**
   * Deliveries not yet delivered nor given up, and the age in seconds of the oldest one's event (0
   * when there is none).
   */
  public record Backlog(long pending, double oldestSeconds) {}

  // Counted under the user's row lock, so two concurrent creations cannot both pass the cap (NO
  // KEY UPDATE: opening an account, whose foreign key shares the row's key, does not wait on it).
  private static final String CREATE =
      "WITH owner AS (SELECT id FROM users WHERE id = $2 FOR NO KEY UPDATE)"
          + " INSERT INTO webhook_endpoints (id, owner_id, url, secret, event_types)"
          + " SELECT $1, owner.id, $3, $4, $5 FROM owner"
          + " WHERE (SELECT count(*) FROM webhook_endpoints WHERE owner_id = $2) < $6"
          + " RETURNING id, url, event_types, created_at";
  private static final String LIST =
      "SELECT id, url, event_types, created_at FROM webhook_endpoints WHERE owner_id = $1"
          + " ORDER BY id";
  private static final String DELETE =
      "DELETE FROM webhook_endpoints WHERE id = $1 AND owner_id = $2 RETURNING id";
  private static final String EVENTS =
      "SELECT id, type, created_at, data FROM events WHERE owner_id = $1 AND id < $2"
          + " ORDER BY id DESC LIMIT $3";
  // One type: walks the owner's events newest first and skips the others. Monitor events, rare
  // among transfers' ones, have a partial index of their own (changeset 032), which the planner
  // can only use when the type is written in the statement.
  private static final String EVENTS_OF_TYPE =
      "SELECT id, type, created_at, data FROM events WHERE owner_id = $1 AND id < $2"
          + " AND type = $4 ORDER BY id DESC LIMIT $3";
  private static final String MONITOR_EVENTS =
      "SELECT id, type, created_at, data FROM events WHERE owner_id = $1 AND id < $2"
          + " AND type = 'balance.monitor.triggered' ORDER BY id DESC LIMIT $3";
  // The oldest due row of each endpoint that no attempt holds and whose circuit is closed, oldest
  // first: one attempt per endpoint at a time over every instance (the endpoint's row is locked
  // SKIP LOCKED, and busy_until re-checked once locked), so a slow receiver holds only its own
  // deliveries. Each attempt's lease pushes its row's next_attempt_at, and its endpoint's
  // busy_until, past the attempt's time limit, so a claim whose instance died is retried.
  private static final String CLAIM =
      "WITH due AS (SELECT DISTINCT ON (d.endpoint_id) d.event_id, d.endpoint_id,"
          + " d.next_attempt_at FROM webhook_deliveries d"
          + " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
          + " WHERE d.status = 'pending' AND d.next_attempt_at <= clock_timestamp()"
          + " AND (w.busy_until IS NULL OR w.busy_until <= clock_timestamp())"
          + " ORDER BY d.endpoint_id, d.next_attempt_at),"
          + " chosen AS (SELECT due.event_id, due.endpoint_id FROM due"
          + " JOIN webhook_endpoints w ON w.id = due.endpoint_id"
          + " WHERE w.busy_until IS NULL OR w.busy_until <= clock_timestamp()"
          + " ORDER BY due.next_attempt_at LIMIT $1 FOR UPDATE OF w SKIP LOCKED),"
          + " held AS (UPDATE webhook_endpoints w"
          + " SET busy_until = clock_timestamp() + make_interval(secs => $2)"
          + " FROM chosen WHERE w.id = chosen.endpoint_id)"
          + " UPDATE webhook_deliveries d SET attempts = d.attempts + 1,"
          + " next_attempt_at = clock_timestamp() + make_interval(secs => $2)"
          + " FROM chosen, events e, webhook_endpoints w"
          + " WHERE d.event_id = chosen.event_id AND d.endpoint_id = chosen.endpoint_id"
          + " AND d.status = 'pending' AND e.id = d.event_id AND w.id = d.endpoint_id"
          + " RETURNING d.event_id, d.endpoint_id, d.attempts, e.type, e.created_at, e.data,"
          + " w.url, w.secret, e.traceparent";
  // Only the attempt that holds the claim records its outcome: a late answer to an attempt whose
  // lease ran out (and was claimed again) changes nothing, neither the delivery nor its endpoint.
  // A delivered attempt frees the endpoint and closes its circuit.
  private static final String DELIVERED =
      "WITH d AS (UPDATE webhook_deliveries SET status = 'delivered',"
          + " delivered_at = clock_timestamp(), last_error = NULL"
          + " WHERE event_id = $1 AND endpoint_id = $2 AND attempts = $3 AND status = 'pending'"
          + " RETURNING endpoint_id)"
          + " UPDATE webhook_endpoints w SET busy_until = NULL, consecutive_failures = 0"
          + " FROM d WHERE w.id = d.endpoint_id";
  // A failed attempt: the delivery is retried after its backoff ($4 s) or given up ($6); the
  // endpoint counts one more failure in a row, and at $7 of them its circuit opens for $8 s:
  // nothing is sent to it until then, and its pending deliveries wait at least as long (so that
  // they do not stand at the head of the due rows meanwhile; the failed row itself already has its
  // backoff, and a statement may not update one row twice). When it closes, one attempt probes
  // it: a success closes the circuit, a failure opens it again.
  private static final String FAILED =
      "WITH d AS (UPDATE webhook_deliveries SET last_error = $5,"
          + " status = CASE WHEN $6 THEN 'failed' ELSE status END,"
          + " next_attempt_at = CASE WHEN $6 THEN next_attempt_at"
          + " ELSE clock_timestamp() + make_interval(secs => $4) END"
          + " WHERE event_id = $1 AND endpoint_id = $2 AND attempts = $3 AND status = 'pending'"
          + " RETURNING endpoint_id),"
          + " w AS (UPDATE webhook_endpoints w"
          + " SET consecutive_failures = w.consecutive_failures + 1,"
          + " busy_until = CASE WHEN w.consecutive_failures + 1 >= $7"
          + " THEN clock_timestamp() + make_interval(secs => $8) END"
          + " FROM d WHERE w.id = d.endpoint_id RETURNING w.id, w.busy_until)"
          + " UPDATE webhook_deliveries p SET next_attempt_at = w.busy_until FROM w"
          + " WHERE w.busy_until IS NOT NULL AND p.endpoint_id = w.id AND p.status = 'pending'"
          + " AND p.next_attempt_at < w.busy_until AND p.event_id <> $1";
  // The pending rows are what the partial index webhook_deliveries_due holds.
  private static final String BACKLOG =
      "SELECT count(*) AS pending,"
          + " coalesce(extract(epoch FROM clock_timestamp() - min(e.created_at)), 0) AS oldest"
          + " FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
          + " WHERE d.status = 'pending'";
  // Older than the retention by id: event ids are UUIDv7 (coffer_uuid_v7), so the smallest id of
  // the cut-off's millisecond bounds them in the primary key, and no index on created_at is kept
  // for this alone (changeset 041).
  private static final String PURGE =
      "DELETE FROM events WHERE id < (lpad(to_hex((extract(epoch FROM now()"
          + " - make_interval(secs => $1)) * 1000)::bigint), 12, '0')"
          + " || '00000000000000000000')::uuid";

  private final WriteTransactions writes;
  private final ReadRouter reads;

  public WebhookStore(WriteTransactions writes, ReadRouter reads) {
    this.writes = writes;
    this.reads = reads;
  }

  /**
   * Registers an endpoint of {@code owner}; null when the owner already has {@code max} of them.
   */
  public Future<Committed<Endpoint>> create(
      UUID owner, String url, List<String> types, String secret, int max) {
    return writes.run(
        conn ->
            conn.preparedQuery(CREATE)
                .execute(
                    Tuple.of(Uuids.timeOrdered(), owner, url, secret, types.toArray(String[]::new))
                        .addInteger(max))
                .map(rows -> rows.size() == 0 ? null : endpoint(rows.iterator().next(), secret)));
  }

  /** {@code owner}'s endpoints, oldest first (without their secrets). */
  public Future<List<Endpoint>> list(UUID owner, ConsistencyToken token) {
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(LIST)
                .execute(Tuple.of(owner))
                .map(
                    rows -> {
                      List<Endpoint> all = new ArrayList<>();
                      rows.forEach(row -> all.add(endpoint(row, null)));
                      return all;
                    }));
  }

  /** Removes {@code owner}'s endpoint and its pending deliveries; not-found otherwise. */
  public Future<Committed<Void>> delete(UUID owner, UUID id) {
    return writes.run(
        conn ->
            conn.preparedQuery(DELETE)
                .execute(Tuple.of(id, owner))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such webhook");
                      }
                      return null;
                    }));
  }

  /** Up to {@code limit} of {@code owner}'s events older than {@code before} (null: newest). */
  public Future<List<Event>> events(UUID owner, UUID before, int limit, ConsistencyToken token) {
    return events(owner, null, before, limit, token);
  }

  /** As {@link #events(UUID, UUID, int, ConsistencyToken)}, of one {@code type} (null: all). */
  public Future<List<Event>> events(
      UUID owner, String type, UUID before, int limit, ConsistencyToken token) {
    UUID below = before == null ? new UUID(-1L, -1L) : before;
    String sql =
        type == null
            ? EVENTS
            : "balance.monitor.triggered".equals(type) ? MONITOR_EVENTS : EVENTS_OF_TYPE;
    Tuple args =
        sql == EVENTS_OF_TYPE ? Tuple.of(owner, below, limit, type) : Tuple.of(owner, below, limit);
    return reads.read(
        token,
        pool ->
            pool.preparedQuery(sql)
                .execute(args)
                .map(
                    rows -> {
                      List<Event> page = new ArrayList<>();
                      rows.forEach(row -> page.add(event(row)));
                      return page;
                    }));
  }

  /**
   * Claims up to {@code limit} due deliveries for {@code lease}, at most one per endpoint, none of
   * an endpoint that an attempt holds or whose circuit is open.
   */
  public Future<List<Delivery>> claim(int limit, Duration lease) {
    Pool primary = writes.primary();
    return primary
        .preparedQuery(CLAIM)
        .execute(Tuple.of(limit, lease.toMillis() / 1000.0))
        .map(
            rows -> {
              List<Delivery> claimed = new ArrayList<>();
              rows.forEach(
                  row ->
                      claimed.add(
                          new Delivery(
                              row.getUUID("event_id"),
                              row.getUUID("endpoint_id"),
                              row.getInteger("attempts"),
                              event(row, "event_id"),
                              row.getString("url"),
                              row.getString("secret"),
                              row.getString("traceparent"))));
              return claimed;
            });
  }

  /** Records that attempt {@code d} was answered 2xx; frees its endpoint, closes its circuit. */
  public Future<Void> delivered(Delivery d) {
    return writes
        .primary()
        .preparedQuery(DELIVERED)
        .execute(Tuple.of(d.eventId(), d.endpointId(), d.attempt()))
        .mapEmpty();
  }

  /**
   * When an endpoint's circuit opens: after {@code failures} failed attempts in a row, for {@code
   * open}.
   */
  public record Circuit(int failures, Duration open) {}

  /**
   * Records that attempt {@code d} failed; the next is due after {@code delay}. The endpoint counts
   * the failure towards {@code circuit}.
   */
  public Future<Void> retry(Delivery d, Duration delay, String error, Circuit circuit) {
    return failed(d, delay, false, error, circuit);
  }

  /** Records that attempt {@code d} failed and no other will be made. */
  public Future<Void> giveUp(Delivery d, String error, Circuit circuit) {
    return failed(d, Duration.ZERO, true, error, circuit);
  }

  private Future<Void> failed(
      Delivery d, Duration delay, boolean giveUp, String error, Circuit circuit) {
    return writes
        .primary()
        .preparedQuery(FAILED)
        .execute(
            Tuple.of(d.eventId(), d.endpointId(), d.attempt(), delay.toMillis() / 1000.0, error)
                .addBoolean(giveUp)
                .addInteger(circuit.failures())
                .addDouble(circuit.open().toMillis() / 1000.0))
        .mapEmpty();
  }

  /** What is still to deliver, over every endpoint. */
  public Future<Backlog> backlog() {
    return writes
        .primary()
        .query(BACKLOG)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Backlog(row.getLong("pending"), row.getNumeric("oldest").doubleValue());
            });
  }

  /** Deletes events (and their deliveries) older than {@code retention}. */
  public Future<Integer> purge(Duration retention) {
    return writes
        .primary()
        .preparedQuery(PURGE)
        .execute(Tuple.of(retention.toSeconds()))
        .map(rows -> rows.rowCount());
  }

  private static Endpoint endpoint(Row row, String secret) {
    return new Endpoint(
        row.getUUID("id"),
        row.getString("url"),
        Arrays.asList(row.getArrayOfStrings("event_types")),
        row.getOffsetDateTime("created_at"),
        secret);
  }

  private static Event event(Row row) {
    return event(row, "id");
  }

  private static Event event(Row row, String idColumn) {
    Object data = row.getValue("data");
    return new Event(
        row.getUUID(idColumn),
        row.getString("type"),
        row.getOffsetDateTime("created_at"),
        data instanceof JsonObject json ? json : new JsonObject(String.valueOf(data)));
  }
}
