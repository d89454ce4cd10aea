package dev.coffer.ledger.user;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.id.Uuids;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;

/** Users: created with a password hash computed by the caller, off the event loop. */
public final class UserStore {
  private static final String INSERT =
      "INSERT INTO users (id, email, email_key, password_hash) VALUES ($1, $2, $3, $4)"
          + " RETURNING created_at";
  private static final String BY_EMAIL =
      "SELECT id, email, password_hash, created_at FROM users WHERE email_key = $1";

  private final WriteTransactions writes;
  private final Pool primary;

  public UserStore(WriteTransactions writes) {
    this.writes = writes;
    this.primary = writes.primary();
  }

  /** Creates a user; {@code email-taken} when an address with the same {@link EmailKey} exists. */
  public Future<Committed<User>> create(String email, String passwordHash) {
    UUID id = Uuids.timeOrdered();
    return writes
        .run(
            conn ->
                conn.preparedQuery(INSERT)
                    .execute(Tuple.of(id, email, EmailKey.of(email), passwordHash))
                    .map(
                        rows ->
                            new User(
                                id,
                                email,
                                passwordHash,
                                rows.iterator().next().getOffsetDateTime(0))))
        .recover(
            e ->
                e instanceof PgException pg && "23505".equals(pg.getSqlState())
                    ? Future.failedFuture(
                        new LedgerException(LedgerError.EMAIL_TAKEN, "email already registered"))
                    : Future.failedFuture(e));
  }

  /**
   * The user whose address has {@code email}'s {@link EmailKey}, read from the primary (logins must
   * see a fresh sign-up).
   */
  public Future<Optional<User>> findByEmail(String email) {
    return primary
        .preparedQuery(BY_EMAIL)
        .execute(Tuple.of(EmailKey.of(email)))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(User.from(rows.iterator().next())));
  }

  /** A registered user. */
  public record User(
      UUID id, String email, String passwordHash, java.time.OffsetDateTime createdAt) {
    static User from(io.vertx.sqlclient.Row row) {
      return new User(
          row.getUUID("id"),
          row.getString("email"),
          row.getString("password_hash"),
          row.getOffsetDateTime("created_at"));
    }
  }
}
