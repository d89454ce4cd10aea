package dev.coffer.ledger.db;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;

/**
 * Whether a failure is this instance's own pool at its limit (its wait queue full, or no connection
 * freed up in time): overload to shed, never a sign that the server behind the pool is broken.
 */
public final class PoolSaturation {
  private PoolSaturation() {}

  public static boolean is(Throwable failure) {
    return failure instanceof ConnectionPoolTooBusyException
        // The SQL pool fails a waiter whose connection timeout passed with this one exception.
        || (failure instanceof VertxException
            && "Timeout waiting for connection".equals(failure.getMessage()))
        || (failure instanceof NoStackTraceThrowable && "Timeout".equals(failure.getMessage()));
  }
}
