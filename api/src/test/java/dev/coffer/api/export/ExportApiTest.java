package dev.coffer.api.export;

import static dev.coffer.api.testing.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.BigJournal;
import dev.coffer.api.testing.Reply;
import dev.coffer.api.testing.Scrape;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.ledger.id.Uuids;
import dev.coffer.ledger.journal.JournalHash;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exports of a 20,000-entry journal, checked row by row (and by recomputing the hash chain from the
 * export alone), and a client that does not read: the server pauses instead of buffering.
 */
@ExtendWith(LedgerExtension.class)
class ExportApiTest {
  private static final int TRANSFERS = 20_000;
  // Most rows are long, so that the export (about 9 MB) is far more than the sockets can hold.
  private static final String LONG = "x".repeat(380);
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static Caller alice;
  private static String payer;
  private static String payee;

  @BeforeAll
  static void aJournalOf20001Entries(LedgerFixture ledger) {
    alice = api.newCaller();
    payer = api.openAccount(alice, "EUR");
    payee = api.openAccount(alice, "EUR");
    api.deposit(alice, payer, 1_000_000_000L);
    // 20,000 transfers through the ledger's own function, 100 per round trip: the API would take
    // minutes on this machine for what is only the test's setup. A transaction each: one that
    // updates the same account row thousands of times slows down with every version it leaves.
    for (int chunk = 0; chunk < TRANSFERS / 100; chunk++) {
      List<Tuple> moves = new ArrayList<>();
      for (int n = chunk * 100; n < (chunk + 1) * 100; n++) {
        moves.add(
            Tuple.of(
                Uuids.timeOrdered(),
                UUID.fromString(payer),
                UUID.fromString(payee),
                (long) n + 1,
                UUID.fromString(alice.id()),
                description(n)));
      }
      LedgerFixture.await(
          ledger
              .pools
              .primary()
              .preparedQuery("SELECT id FROM coffer_move($1, 'transfer', $2, $3, $4, $5, NULL, $6)")
              .executeBatch(moves));
    }
    // Exports are read from the replica only: wait for it to replay the load.
    BigJournal.awaitReplica(ledger);
  }

  // Separators, quotes, line breaks, would-be formulas, non-ASCII; most rows long.
  private static String description(int n) {
    return switch (n % 20) {
      case 0 -> null;
      case 1 -> "rent, May";
      case 2 -> "the \"big\" one";
      case 3 -> "two\r\nlines\n";
      case 4 -> "=HYPERLINK(\"http://evil\",\"x\")";
      case 5 -> "'quoted already";
      case 6 -> "-1+2";
      case 7 -> "naïve €" + n;
      case 8 -> "";
      case 9 -> "@SUM(1)";
      default -> LONG + n;
    };
  }

  @Test
  void theCsvHoldsEveryEntryQuotedAsRfc4180AndTheChainRecomputesFromItAlone() {
    Reply reply = api.get("/v1/accounts/" + payer + "/entries.csv", alice.token());
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).isEqualTo("text/csv; charset=utf-8");
    List<List<String>> rows = Csv.parse(reply.text());
    assertThat(rows.get(0))
        .containsExactly(
            "accountId",
            "seq",
            "transferId",
            "kind",
            "amount",
            "balanceAfter",
            "counterpartyAccountId",
            "status",
            "description",
            "createdAt",
            "hash",
            "effectiveAt");
    assertThat(rows).hasSize(TRANSFERS + 2);
    byte[] previous = null;
    long balance = 0;
    for (int i = 1; i < rows.size(); i++) {
      List<String> row = rows.get(i);
      assertThat(row).hasSize(12);
      long seq = Long.parseLong(row.get(1));
      assertThat(seq).isEqualTo(i);
      assertThat(row.get(0)).isEqualTo(payer);
      long amount = Long.parseLong(row.get(4));
      balance += amount;
      assertThat(Long.parseLong(row.get(5))).isEqualTo(balance);
      String description = undefused(row.get(8));
      if (seq == 1) {
        assertThat(row.get(3)).isEqualTo("deposit");
        assertThat(amount).isEqualTo(1_000_000_000L);
        assertThat(row.get(6)).isEmpty(); // the settlement account is never shown
      } else {
        int n = (int) seq - 2;
        assertThat(row.get(3)).isEqualTo("transfer");
        assertThat(amount).isEqualTo(-(n + 1));
        assertThat(row.get(6)).isEqualTo(payee);
        String expected = description(n);
        assertThat(description).as("seq %d", seq).isEqualTo(expected == null ? "" : expected);
      }
      // The CSV cannot tell null from "": the chain says which it was.
      String stored =
          description.isEmpty() && (seq == 1 || description((int) seq - 2) == null)
              ? null
              : description;
      byte[] hash = JournalHash.of(previous, fields(row, stored));
      assertThat(row.get(10)).as("seq %d", seq).isEqualTo(JournalHash.hex(hash));
      previous = hash;
    }
    // A would-be formula never starts a cell.
    for (List<String> row : rows) {
      assertThat(row.get(8)).doesNotStartWith("=").doesNotStartWith("-").doesNotStartWith("@");
    }
  }

  @Test
  void theNdjsonHoldsEveryEntryVerbatimAndATimeRangeCutsIt() {
    List<JsonObject> all =
        ndjson(api.get("/v1/accounts/" + payer + "/entries.ndjson", alice.token()));
    assertThat(all).hasSize(TRANSFERS + 1);
    byte[] previous = null;
    for (int i = 0; i < all.size(); i++) {
      JsonObject e = all.get(i);
      assertThat(e.getLong("seq")).isEqualTo(i + 1);
      if (i > 0) {
        assertThat(e.getString("description")).isEqualTo(description(i - 1));
      }
      byte[] hash =
          JournalHash.of(
              previous,
              new JournalHash.Fields(
                  UUID.fromString(e.getString("accountId")),
                  e.getLong("seq"),
                  UUID.fromString(e.getString("transferId")),
                  e.getString("kind"),
                  e.getLong("amount"),
                  e.getLong("balanceAfter"),
                  e.getString("counterpartyAccountId") == null
                      ? null
                      : UUID.fromString(e.getString("counterpartyAccountId")),
                  e.getString("status"),
                  e.getString("description"),
                  OffsetDateTime.parse(e.getString("createdAt"))));
      assertThat(e.getString("hash")).isEqualTo(JournalHash.hex(hash));
      previous = hash;
    }
    String from = all.get(5_000).getString("createdAt");
    String to = all.get(12_345).getString("createdAt");
    List<JsonObject> range =
        ndjson(
            api.get(
                "/v1/accounts/" + payer + "/entries.ndjson?from=" + from + "&to=" + to,
                alice.token()));
    List<Long> expected =
        all.stream()
            .filter(
                e ->
                    e.getString("createdAt").compareTo(from) >= 0
                        && e.getString("createdAt").compareTo(to) < 0)
            .map(e -> e.getLong("seq"))
            .toList();
    assertThat(expected).hasSizeGreaterThan(1000);
    assertThat(range.stream().map(e -> e.getLong("seq")).toList()).isEqualTo(expected);
  }

  @Test
  void badRangesAre400AndAStrangersExportIs404() {
    assertProblem(
        api.get("/v1/accounts/" + payer + "/entries.csv?from=yesterday", alice.token()),
        400,
        "invalid-parameter");
    assertProblem(
        api.get(
            "/v1/accounts/" + payer + "/entries.ndjson?to=%2B999999-01-01T00:00:00Z",
            alice.token()),
        400,
        "invalid-parameter");
    Caller mallory = api.newCaller();
    assertProblem(
        api.get("/v1/accounts/" + payer + "/entries.csv", mallory.token()), 404, "not-found");
    Reply empty =
        api.get(
            "/v1/accounts/"
                + payer
                + "/entries.csv?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z",
            alice.token());
    assertThat(Csv.parse(empty.text())).hasSize(1);
  }

  @Test
  void aClientThatDoesNotReadPausesTheCursorInsteadOfFillingTheServersMemory() throws Exception {
    ApiClient metrics = ApiInstance.shared().client();
    double pausesBefore = Scrape.value(metrics, "coffer_export_pauses_total", "");
    double rowsBefore = Scrape.value(metrics, "coffer_export_rows_total", "format=\"csv\"");
    try (Socket socket = new Socket()) {
      // A small window: the server's socket buffer fills after a few MB at most.
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", ApiInstance.shared().port()));
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /v1/accounts/"
                  + payer
                  + "/entries.csv HTTP/1.1\r\nHost: coffer\r\nAuthorization: Bearer "
                  + alice.token()
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Nothing is read until the server has paused its cursor for this client.
      Scrape.awaitValue(
          metrics, "coffer_export_pauses_total", "", v -> v > pausesBefore, Duration.ofSeconds(60));
      double written =
          Scrape.value(metrics, "coffer_export_rows_total", "format=\"csv\"") - rowsBefore;
      assertThat(Scrape.value(metrics, "coffer_exports_open", "")).isEqualTo(1);
      // It had rows left to fetch, and holds them back until the client reads.
      assertThat(written).as("rows written when paused").isLessThan(TRANSFERS + 1);

      String body = dechunk(readAll(socket.getInputStream()));
      List<List<String>> rows = Csv.parse(body);
      assertThat(rows).hasSize(TRANSFERS + 2);
      assertThat(rows.get(rows.size() - 1).get(1)).isEqualTo(Integer.toString(TRANSFERS + 1));
    } finally {
      metrics.close();
    }
    Scrape.awaitValue(
        ApiInstance.shared().sharedClient(),
        "coffer_exports_open",
        "",
        v -> v == 0,
        Duration.ofSeconds(30));
  }

  private static String undefused(String cell) {
    return cell.startsWith("'") ? cell.substring(1) : cell;
  }

  private static JournalHash.Fields fields(List<String> row, String description) {
    return new JournalHash.Fields(
        UUID.fromString(row.get(0)),
        Long.parseLong(row.get(1)),
        UUID.fromString(row.get(2)),
        row.get(3),
        Long.parseLong(row.get(4)),
        Long.parseLong(row.get(5)),
        row.get(6).isEmpty() ? null : UUID.fromString(row.get(6)),
        row.get(7),
        description,
        OffsetDateTime.parse(row.get(9)),
        row.size() > 11 && !row.get(11).isEmpty() ? OffsetDateTime.parse(row.get(11)) : null);
  }

  private static List<JsonObject> ndjson(Reply reply) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).isEqualTo("application/x-ndjson");
    List<JsonObject> lines = new ArrayList<>();
    for (String line : reply.text().split("\n")) {
      lines.add(new JsonObject(line));
    }
    return lines;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toByteArray();
  }

  // The body of an HTTP/1.1 chunked response (the whole response as read from the socket).
  private static String dechunk(byte[] response) {
    String text = new String(response, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("\r\n\r\n") + 4;
    assertThat(text).startsWith("HTTP/1.1 200");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int lineEnd = text.indexOf("\r\n", at);
      int size = Integer.parseInt(text.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        break;
      }
      body.write(response, lineEnd + 2, size);
      at = lineEnd + 2 + size + 2;
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  /** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
  static final class Csv {
    static List<List<String>> parse(String text) {
      List<List<String>> rows = new ArrayList<>();
      List<String> row = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == '"' && cell.length() == 0) {
          i++;
          while (true) {
            char q = text.charAt(i);
            if (q == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
              cell.append('"');
              i += 2;
            } else if (q == '"') {
              i++;
              break;
            } else {
              cell.append(q);
              i++;
            }
          }
          continue;
        }
        if (c == ',') {
          row.add(cell.toString());
          cell.setLength(0);
          i++;
        } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          row.add(cell.toString());
          cell.setLength(0);
          rows.add(row);
          row = new ArrayList<>();
          i += 2;
        } else {
          assertThat(c).as("a bare CR or LF outside quotes at %d", i).isNotIn('\r', '\n');
          cell.append(c);
          i++;
        }
      }
      assertThat(row).as("the last record ends with CRLF").isEmpty();
      return rows;
    }
  }
}
