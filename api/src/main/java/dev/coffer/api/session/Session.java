package dev.coffer.api.session;

import dev.coffer.ledger.db.ConsistencyToken;
import java.util.UUID;

/**
 * An authenticated caller: the user, the key of its session in Redis, and the latest write the
 * session has been answered (its reads must be at least that fresh).
 */
public record Session(UUID userId, String key, ConsistencyToken lastWrite) {}
