package dev.coffer.api.session;

import dev.coffer.api.access.Grant;
import dev.coffer.ledger.db.ConsistencyToken;
import java.util.UUID;

/**
 * An authenticated caller: the user, the Redis key of its credential (a session, or an API key's
 * entry in the key mirror), the latest write the credential has been answered (its reads must be at
 * least that fresh), and what it may do.
 */
public record Session(UUID userId, String key, ConsistencyToken lastWrite, Grant grant) {
  /** A session proper: it may do everything its user may. */
  public Session(UUID userId, String key, ConsistencyToken lastWrite) {
    this(userId, key, lastWrite, Grant.FULL);
  }
}
