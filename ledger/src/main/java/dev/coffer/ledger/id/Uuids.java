package dev.coffer.ledger.id;

import java.security.SecureRandom;
import java.util.UUID;

/** Time-ordered (version 7) UUIDs, so that new rows land at the right edge of their indexes. */
public final class Uuids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Uuids() {}

  /** A new UUIDv7: 48 bits of Unix milliseconds, then random bits. */
  public static UUID timeOrdered() {
    long millis = System.currentTimeMillis();
    long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
