package dev.coffer.ledger.apikey;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.db.ReadRouter;
import dev.coffer.ledger.db.WriteTransactions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Every SQL statement about API keys, their addresses and their audit trail. */
public final class ApiKeyStore {
  /**
   * A key as stored: never its secret, only the secret's HMAC ({@code secretHmac}, null when not
   * read). {@code accounts} null means every account of the owner.
   */
  public record ApiKey(
      UUID id,
      UUID owner,
      UUID parent,
      String name,
      List<String> scopes,
      List<UUID> accounts,
      OffsetDateTime createdAt,
      OffsetDateTime expiresAt,
      OffsetDateTime revokedAt,
      OffsetDateTime lastUsedAt,
      byte[] secretHmac) {}

  /** What a new key is: all but its id and times. */
  public record NewKey(
      UUID id,
      UUID owner,
      UUID parent,
      String name,
      byte[] secretHmac,
      List<String> scopes,
      List<UUID> accounts,
      OffsetDateTime expiresAt) {}

  /** One entry of a key's audit trail: {@code created}, {@code new-address} or {@code revoked}. */
  public record KeyEvent(UUID id, UUID keyId, String type, String address, OffsetDateTime at) {}

  private static final String COLUMNS =
      "id, owner_id, parent_id, name, scopes, account_ids, created_at, expires_at, revoked_at,"
          + " last_used_at";
  // Creations and revocations of one user take turns on the user's row (NO KEY UPDATE: opening an
  // account, whose foreign key shares the row's key, does not wait on it). Each then runs its
  // checks in a statement of its own, whose snapshot sees what the other committed: a key cannot
  // be minted by a parent whose revocation has just missed it, nor past the cap.
  private static final String LOCK_OWNER = "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE";
  private static final String CREATE =
      "WITH made AS (INSERT INTO api_keys (id, owner_id, parent_id, name, secret_hmac, scopes,"
          + " account_ids, expires_at)"
          + " SELECT $1, $2, $3, $4, $5, $6, $7, $8"
          + " WHERE (SELECT count(*) FROM api_keys WHERE owner_id = $2 AND revoked_at IS NULL"
          + " AND (expires_at IS NULL OR expires_at > now())) < $9"
          + " AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM api_keys p WHERE p.id = $3"
          + " AND p.owner_id = $2 AND p.revoked_at IS NULL))"
          + " RETURNING "
          + COLUMNS
          + "), audit AS (INSERT INTO api_key_events (id, key_id, owner_id, type, address)"
          + " SELECT coffer_uuid_v7(), id, owner_id, 'created', $10 FROM made)"
          + " SELECT "
          + COLUMNS
          + " FROM made";

  // The keys a caller may see and manage: all of the owner's ($OWNER) for a session ($ROOT null),
  // else the caller's key and those minted from it, at any depth.
  private static String reach(int owner, int root) {
    return "reach AS (SELECT id FROM api_keys WHERE owner_id = $"
        + owner
        + " AND ($"
        + root
        + "::uuid IS NULL OR id = $"
        + root
        + ") UNION SELECT k.id FROM api_keys k JOIN reach r ON k.parent_id = r.id WHERE $"
        + root
        + "::uuid IS NOT NULL)";
  }

  // The key and every key minted from it, at any depth; answers them all, also those revoked
  // before, so that a retry after a lost answer tells Redis again.
  private static final String REVOKE =
      "WITH RECURSIVE "
          + reach(2, 4)
          + ", tree AS (SELECT id FROM api_keys WHERE id = $1 AND owner_id = $2"
          + " AND id IN (SELECT id FROM reach)"
          + " UNION SELECT k.id FROM api_keys k JOIN tree ON k.parent_id = tree.id),"
          + " revoked AS (UPDATE api_keys k SET revoked_at = now() FROM tree"
          + " WHERE k.id = tree.id AND k.revoked_at IS NULL RETURNING k.id, k.owner_id),"
          + " audit AS (INSERT INTO api_key_events (id, key_id, owner_id, type, address)"
          + " SELECT coffer_uuid_v7(), id, owner_id, 'revoked', $3 FROM revoked)"
          + " SELECT id FROM tree";
  private static final String PAGE =
      "WITH RECURSIVE "
          + reach(1, 4)
          + " SELECT "
          + COLUMNS
          + " FROM api_keys WHERE id IN (SELECT id FROM reach) AND id < $2"
          + " ORDER BY id DESC LIMIT $3";
  private static final String OWNED =
      "SELECT count(*) AS owned FROM accounts WHERE owner_id = $1 AND id = ANY($2)";
  private static final String LIVE =
      "SELECT "
          + COLUMNS
          + ", secret_hmac FROM api_keys WHERE owner_id = $1 AND revoked_at IS NULL"
          + " AND (expires_at IS NULL OR expires_at > now())";
  private static final String SEEN_FROM =
      "WITH seen AS (INSERT INTO api_key_addresses (key_id, address) VALUES ($1, $3)"
          + " ON CONFLICT DO NOTHING RETURNING key_id),"
          + " used AS (UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND owner_id = $2),"
          + " audit AS (INSERT INTO api_key_events (id, key_id, owner_id, type, address)"
          + " SELECT coffer_uuid_v7(), key_id, $2, 'new-address', $3 FROM seen)"
          + " SELECT count(*) AS new FROM seen";
  // One row with a null event when the key is the owner's and has no event before the cursor; no
  // row when it is not the owner's.
  private static final String EVENTS =
      "WITH RECURSIVE "
          + reach(2, 5)
          + " SELECT k.id AS key_id, e.id, e.type, e.address, e.created_at FROM api_keys k"
          + " LEFT JOIN LATERAL (SELECT id, type, address, created_at FROM api_key_events"
          + " WHERE key_id = k.id AND id < $3 ORDER BY id DESC LIMIT $4) e ON true"
          + " WHERE k.id = $1 AND k.owner_id = $2 AND k.id IN (SELECT id FROM reach)";
  private static final UUID MAX_UUID = new UUID(-1L, -1L);

  private final WriteTransactions writes;
  private final ReadRouter reads;

  public ApiKeyStore(WriteTransactions writes, ReadRouter reads) {
    this.writes = writes;
    this.reads = reads;
  }

  /**
   * Stores {@code key} and its {@code created} event (from {@code address}); null when its owner
   * already has {@code max} live keys, or when its parent key is no longer live.
   */
  public Future<Committed<ApiKey>> create(NewKey key, int max, String address) {
    return writes.run(
        conn ->
            lockOwner(conn, key.owner())
                .compose(
                    v ->
                        conn.preparedQuery(CREATE)
                            .execute(
                                Tuple.from(
                                    new Object[] {
                                      key.id(),
                                      key.owner(),
                                      key.parent(),
                                      key.name(),
                                      Buffer.buffer(key.secretHmac()),
                                      key.scopes().toArray(String[]::new),
                                      key.accounts() == null
                                          ? null
                                          : key.accounts().toArray(UUID[]::new),
                                      key.expiresAt(),
                                      max,
                                      address
                                    })))
                .map(rows -> rows.size() == 0 ? null : key(rows.iterator().next(), false)));
  }

  /**
   * Revokes {@code owner}'s key {@code id} and every key minted from it; answers their ids (also of
   * those revoked before). Not-found when {@code id} is no key of {@code owner} within what {@code
   * root} reaches (null: a session, which reaches every key; else the calling key's id).
   */
  public Future<Committed<List<UUID>>> revoke(UUID owner, UUID id, String address, UUID root) {
    return writes.run(
        conn ->
            lockOwner(conn, owner)
                .compose(
                    v ->
                        conn.preparedQuery(REVOKE)
                            .execute(Tuple.of(id, owner, address).addUUID(root)))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such API key");
                      }
                      List<UUID> ids = new ArrayList<>();
                      rows.forEach(row -> ids.add(row.getUUID("id")));
                      return ids;
                    }));
  }

  /**
   * Up to {@code limit} of {@code owner}'s keys that {@code root} reaches (see {@link #revoke}),
   * older than {@code before} (null: the newest), newest first.
   */
  public Future<List<ApiKey>> page(
      UUID owner, UUID before, int limit, UUID root, ConsistencyToken token) {
    return reads.read(
        token,
        client ->
            client
                .preparedQuery(PAGE)
                .execute(Tuple.of(owner, before == null ? MAX_UUID : before, limit).addUUID(root))
                .map(rows -> keys(rows, false)));
  }

  /**
   * Whether every one of {@code accounts} belongs to {@code owner}, read on the primary: a key is
   * made rarely, and an account opened a moment ago by another credential must count.
   */
  public Future<Boolean> ownsAll(UUID owner, List<UUID> accounts) {
    return writes
        .primary()
        .preparedQuery(OWNED)
        .execute(Tuple.of(owner).addArrayOfUUID(accounts.toArray(UUID[]::new)))
        .map(rows -> rows.iterator().next().getLong("owned") == accounts.size());
  }

  /**
   * {@code owner}'s live keys with their secrets' HMACs, read on the primary: what the mirror in
   * Redis is rebuilt from, so it must not miss a revocation a replica has not replayed yet.
   */
  public Future<List<ApiKey>> live(UUID owner) {
    return writes
        .primary()
        .preparedQuery(LIVE)
        .execute(Tuple.of(owner))
        .map(rows -> keys(rows, true));
  }

  /**
   * Records that key {@code id} of {@code owner} was used from {@code address}: true, with a {@code
   * new-address} event, when it never had been before.
   */
  public Future<Boolean> usedFrom(UUID owner, UUID id, String address) {
    return writes
        .primary()
        .preparedQuery(SEEN_FROM)
        .execute(Tuple.of(id, owner, address))
        .map(rows -> rows.iterator().next().getLong("new") > 0);
  }

  /**
   * Up to {@code limit} events of {@code owner}'s key {@code id} older than {@code before} (null:
   * the newest), newest first; not-found when {@code id} is no key of {@code owner} that {@code
   * root} reaches (see {@link #revoke}).
   */
  public Future<List<KeyEvent>> events(
      UUID owner, UUID id, UUID before, int limit, UUID root, ConsistencyToken token) {
    return reads.read(
        token,
        client ->
            client
                .preparedQuery(EVENTS)
                .execute(
                    Tuple.of(id, owner, before == null ? MAX_UUID : before, limit).addUUID(root))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        throw new LedgerException(LedgerError.NOT_FOUND, "no such API key");
                      }
                      List<KeyEvent> events = new ArrayList<>();
                      rows.forEach(
                          row -> {
                            if (row.getUUID("id") != null) {
                              events.add(
                                  new KeyEvent(
                                      row.getUUID("id"),
                                      row.getUUID("key_id"),
                                      row.getString("type"),
                                      row.getString("address"),
                                      row.getOffsetDateTime("created_at")));
                            }
                          });
                      return events;
                    }));
  }

  private static Future<Void> lockOwner(SqlConnection conn, UUID owner) {
    return conn.preparedQuery(LOCK_OWNER)
        .execute(Tuple.of(owner))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new LedgerException(LedgerError.NOT_FOUND, "no such user");
              }
              return null;
            });
  }

  private static List<ApiKey> keys(RowSet<Row> rows, boolean withHmac) {
    List<ApiKey> keys = new ArrayList<>();
    rows.forEach(row -> keys.add(key(row, withHmac)));
    return keys;
  }

  private static ApiKey key(Row row, boolean withHmac) {
    UUID[] accounts = row.getArrayOfUUIDs("account_ids");
    return new ApiKey(
        row.getUUID("id"),
        row.getUUID("owner_id"),
        row.getUUID("parent_id"),
        row.getString("name"),
        Arrays.asList(row.getArrayOfStrings("scopes")),
        accounts == null ? null : Arrays.asList(accounts),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("expires_at"),
        row.getOffsetDateTime("revoked_at"),
        row.getOffsetDateTime("last_used_at"),
        withHmac ? row.getBuffer("secret_hmac").getBytes() : null);
  }
}
