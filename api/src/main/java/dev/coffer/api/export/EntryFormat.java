package dev.coffer.api.export;

import dev.coffer.api.http.ApiJson;
import dev.coffer.ledger.journal.JournalHash;
import dev.coffer.ledger.journal.JournalLine;
import dev.coffer.ledger.transfer.TransferKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** How an export writes entries: CSV (RFC 4180) or NDJSON, one line per entry. */
public enum EntryFormat {
  CSV("text/csv; charset=utf-8", "csv") {
    @Override
    void header(Buffer out) {
      out.appendString(
          "accountId,seq,transferId,kind,amount,balanceAfter,counterpartyAccountId,status,"
              + "description,createdAt,hash,effectiveAt\r\n");
    }

    @Override
    void line(Buffer out, JournalLine line) {
      JournalHash.Fields e = line.fields();
      StringBuilder row = new StringBuilder(160);
      row.append(e.accountId())
          .append(',')
          .append(e.seq())
          .append(',')
          .append(e.transferId())
          .append(',')
          .append(e.kind())
          .append(',')
          .append(e.amount())
          .append(',')
          .append(e.balanceAfter())
          .append(',')
          .append(text(counterparty(e)))
          .append(',')
          .append(e.status())
          .append(',');
      cell(row, defused(e.description()));
      // effectiveAt last (empty unless back-dated), so the earlier columns keep their places.
      row.append(',').append(time(e.createdAt())).append(',').append(line.hash()).append(',');
      if (e.effectiveAt() != null) {
        row.append(time(e.effectiveAt()));
      }
      row.append("\r\n");
      out.appendString(row.toString());
    }
  },
  NDJSON("application/x-ndjson", "ndjson") {
    @Override
    void header(Buffer out) {}

    @Override
    void line(Buffer out, JournalLine line) {
      JournalHash.Fields e = line.fields();
      out.appendBuffer(
              new JsonObject()
                  .put("accountId", e.accountId().toString())
                  .put("seq", e.seq())
                  .put("transferId", e.transferId().toString())
                  .put("kind", e.kind())
                  .put("amount", e.amount())
                  .put("balanceAfter", e.balanceAfter())
                  .put("counterpartyAccountId", ApiJson.id(counterparty(e)))
                  .put("status", e.status())
                  .put("description", e.description())
                  .put("createdAt", time(e.createdAt()))
                  .put("hash", line.hash())
                  .put("effectiveAt", e.effectiveAt() == null ? null : time(e.effectiveAt()))
                  .toBuffer())
          .appendByte((byte) '\n');
    }
  };

  // Microseconds: the database's precision, which the hash covers.
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  private final String contentType;
  private final String extension;

  EntryFormat(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  /** What goes before the first entry. */
  abstract void header(Buffer out);

  /** Appends one entry. */
  abstract void line(Buffer out, JournalLine line);

  public String contentType() {
    return contentType;
  }

  public String extension() {
    return extension;
  }

  /** The name of the {@code format} label of the export meters. */
  public String label() {
    return extension;
  }

  // The settlement account behind a deposit or withdrawal is never shown.
  private static UUID counterparty(JournalHash.Fields e) {
    return TransferKind.of(e.kind()).shownCounterparty(e.counterpartyAccountId());
  }

  private static String text(UUID id) {
    return id == null ? "" : id.toString();
  }

  private static String time(OffsetDateTime t) {
    return TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }

  /**
   * A description a spreadsheet would run as a formula gets a leading {@code '}; so does one that
   * starts with {@code '} itself, so that dropping one leading {@code '} always gives the stored
   * text back.
   */
  public static String defused(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    return switch (text.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r', '\'' -> "'" + text;
      default -> text;
    };
  }

  /** RFC 4180: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
  public static void cell(StringBuilder row, String text) {
    if (text == null) {
      return;
    }
    boolean quote = false;
    for (int i = 0; i < text.length() && !quote; i++) {
      char c = text.charAt(i);
      quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    if (!quote) {
      row.append(text);
      return;
    }
    row.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      row.append(c);
      if (c == '"') {
        row.append('"');
      }
    }
    row.append('"');
  }
}
