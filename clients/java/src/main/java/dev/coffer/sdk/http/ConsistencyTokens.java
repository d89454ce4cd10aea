package dev.coffer.sdk.http;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The freshest {@code Consistency-Token} a client has been answered, sent on its reads so that they
 * see its writes on any instance, from any replica. Tokens are positions in the database's log as
 * 16 hex digits: the later of two is the greater, so an answer that arrives late never takes the
 * client back.
 */
public final class ConsistencyTokens {
  public static final String HEADER = "Consistency-Token";
  private static final String FORMAT = "[0-9a-f]{16}";

  private final AtomicReference<String> latest = new AtomicReference<>();

  /** The token to send, or null before the first write. */
  public String current() {
    return latest.get();
  }

  /** Keeps {@code token} if it is later than the one held; ignores anything malformed. */
  public void observe(String token) {
    if (token == null || !token.matches(FORMAT)) {
      return;
    }
    latest.accumulateAndGet(
        token, (held, seen) -> held == null || seen.compareTo(held) > 0 ? seen : held);
  }
}
