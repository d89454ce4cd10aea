package dev.coffer.ledger.db;

/**
 * A read that only the replica may serve (an export: it holds a connection for as long as its
 * client reads) could not be served there now: the replica is down or lagging past the limit, or
 * has not replayed the caller's writes within the wait. Nothing was read; a retry later is safe.
 */
public final class ReplicaUnavailableException extends RuntimeException {
  public ReplicaUnavailableException(String message) {
    super(message, null, false, false);
  }
}
