package dev.coffer.ledger.journal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The journal's hash chain, computed in Java the way docs/ledger.md defines it (and the database's
 * {@code coffer_entry_hash} computes it on every append): a second, independent implementation of
 * the published encoding, which is what a third party would write.
 */
public final class JournalHash {
  /** What comes before an account's first entry. */
  public static final byte[] GENESIS = new byte[32];

  private static final byte[] NULL_FIELD = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
  private static final String VERSION = "coffer-entry-v1";
  private static final OffsetDateTime EPOCH = OffsetDateTime.parse("1970-01-01T00:00:00Z");

  private JournalHash() {}

  /**
   * The fields of one entry that its hash covers; {@code effectiveAt} is null unless the entry was
   * back-dated.
   */
  public record Fields(
      UUID accountId,
      long seq,
      UUID transferId,
      String kind,
      long amount,
      long balanceAfter,
      UUID counterpartyAccountId,
      String status,
      String description,
      OffsetDateTime createdAt,
      OffsetDateTime effectiveAt) {

    /** An entry that was not back-dated. */
    public Fields(
        UUID accountId,
        long seq,
        UUID transferId,
        String kind,
        long amount,
        long balanceAfter,
        UUID counterpartyAccountId,
        String status,
        String description,
        OffsetDateTime createdAt) {
      this(
          accountId,
          seq,
          transferId,
          kind,
          amount,
          balanceAfter,
          counterpartyAccountId,
          status,
          description,
          createdAt,
          null);
    }
  }

  /** SHA-256 over {@code previous} (null: {@link #GENESIS}) and the entry's canonical encoding. */
  public static byte[] of(byte[] previous, Fields e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(previous == null ? GENESIS : previous);
    field(out, VERSION);
    field(out, e.accountId().toString());
    field(out, Long.toString(e.seq()));
    field(out, e.transferId().toString());
    field(out, e.kind());
    field(out, Long.toString(e.amount()));
    field(out, Long.toString(e.balanceAfter()));
    // The settlement account behind a deposit or withdrawal is never shown, so never hashed.
    boolean settlement = e.kind().equals("deposit") || e.kind().equals("withdrawal");
    field(
        out,
        settlement || e.counterpartyAccountId() == null
            ? null
            : e.counterpartyAccountId().toString());
    field(out, e.status());
    field(out, e.description());
    field(out, Long.toString(ChronoUnit.MICROS.between(EPOCH, e.createdAt())));
    // Only a back-dated entry has this field: hashes from before effective time stay valid.
    if (e.effectiveAt() != null) {
      field(out, Long.toString(ChronoUnit.MICROS.between(EPOCH, e.effectiveAt())));
    }
    return sha256(out.toByteArray());
  }

  /** Lower-case hex, as the API shows hashes. */
  public static String hex(byte[] hash) {
    return hash == null ? null : HexFormat.of().formatHex(hash);
  }

  private static void field(ByteArrayOutputStream out, String value) {
    if (value == null) {
      out.writeBytes(NULL_FIELD);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
