package dev.coffer.sdk.http;

import java.io.IOException;

/**
 * The service could not be reached, or the connection broke before its answer, on every attempt the
 * retry policy allowed. For a POST without an Idempotency-Key whose request was sent, whether it
 * was applied is unknown.
 */
public final class CofferConnectionException extends RuntimeException {
  public CofferConnectionException(String message, IOException cause) {
    super(message, cause);
  }
}
