package dev.coffer.ledger.statement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.UUID;

/**
 * An account's statement for the entries booked in [{@code from}, {@code to}): the balance before
 * the first ({@code opening}, after entry {@code openingSeq}) and after the last ({@code closing},
 * after entry {@code closingSeq}), what came in and went out of the balance, and how many entries
 * did each. {@code openingHash} and {@code closingHash} are the journal's chain hashes at those
 * entries (hex; 64 zeros before the first entry): the closing one commits to every entry up to it.
 */
public record Statement(
    UUID accountId,
    String currency,
    OffsetDateTime from,
    OffsetDateTime to,
    long openingSeq,
    long openingBalance,
    String openingHash,
    long closingSeq,
    long closingBalance,
    String closingHash,
    long totalIn,
    long totalOut,
    long entryCount,
    long creditCount,
    long debitCount) {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  /** A time as the statement writes it: UTC, microseconds (the database's precision). */
  public static String time(OffsetDateTime time) {
    return TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC));
  }

  /**
   * SHA-256 (hex) of the statement's canonical text: one {@code name=value} line per field, in this
   * order, after a version line. It depends on nothing but the statement, so the same range gives
   * the same digest later, and through {@code closingHash} it is tied to the hash chain.
   */
  public String digest() {
    String canonical =
        "coffer-statement-v1\n"
            + ("accountId=" + accountId + "\n")
            + ("currency=" + currency + "\n")
            + ("from=" + time(from) + "\n")
            + ("to=" + time(to) + "\n")
            + ("openingSeq=" + openingSeq + "\n")
            + ("openingBalance=" + openingBalance + "\n")
            + ("openingHash=" + openingHash + "\n")
            + ("closingSeq=" + closingSeq + "\n")
            + ("closingBalance=" + closingBalance + "\n")
            + ("closingHash=" + closingHash + "\n")
            + ("totalIn=" + totalIn + "\n")
            + ("totalOut=" + totalOut + "\n")
            + ("entryCount=" + entryCount + "\n")
            + ("creditCount=" + creditCount + "\n")
            + ("debitCount=" + debitCount + "\n");
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
