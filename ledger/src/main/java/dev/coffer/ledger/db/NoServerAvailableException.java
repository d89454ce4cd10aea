package dev.coffer.ledger.db;

/**
 * No server of a multi-host URI has the role a connection wants right now: during a failover, no
 * primary (nothing was sent, so a retry is safe); or every server is down.
 */
public final class NoServerAvailableException extends RuntimeException {
  public NoServerAvailableException(String message) {
    super(message, null, false, false);
  }
}
