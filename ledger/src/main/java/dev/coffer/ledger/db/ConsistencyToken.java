package dev.coffer.ledger.db;

import java.util.Optional;

/**
 * A point in the primary's WAL (an LSN) that a read must not be older than. Opaque to clients: it
 * travels as 16 hex digits.
 */
public record ConsistencyToken(long lsn) implements Comparable<ConsistencyToken> {
  /** No requirement: any replica state will do. */
  public static final ConsistencyToken NONE = new ConsistencyToken(0);

  /** Newer than any replica can be: the read goes to the primary. */
  public static final ConsistencyToken LATEST = new ConsistencyToken(-1);

  /** Parses Postgres' {@code X/Y} pg_lsn text. */
  public static ConsistencyToken fromPgLsn(String text) {
    int slash = text.indexOf('/');
    long high = Long.parseUnsignedLong(text.substring(0, slash), 16);
    long low = Long.parseUnsignedLong(text.substring(slash + 1), 16);
    return new ConsistencyToken((high << 32) | low);
  }

  /** Parses a token as a client sends it back; anything malformed is empty. */
  public static Optional<ConsistencyToken> parse(String header) {
    if (!isLowerHex16(header)) {
      return Optional.empty();
    }
    return Optional.of(new ConsistencyToken(Long.parseUnsignedLong(header, 16)));
  }

  // Sixteen lowercase hex digits, checked by hand: this runs on every request that carries a
  // token, and String.matches compiled a regular expression each time.
  private static boolean isLowerHex16(String text) {
    if (text == null || text.length() != 16) {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The later of two tokens. */
  public ConsistencyToken max(ConsistencyToken other) {
    return compareTo(other) >= 0 ? this : other;
  }

  @Override
  public int compareTo(ConsistencyToken other) {
    return Long.compareUnsigned(lsn, other.lsn);
  }

  @Override
  public String toString() {
    return String.format("%016x", lsn);
  }
}
