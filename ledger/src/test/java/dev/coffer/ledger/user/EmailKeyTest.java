package dev.coffer.ledger.user;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One key per address, the same in Java (sign-up, log-in, limits) and in SQL (migrated rows). */
@ExtendWith(LedgerExtension.class)
class EmailKeyTest {
  private static final List<String> SPELLINGS =
      List.of(
          "Alice@Example.COM",
          "  bob@example.com ",
          "İvi-x@example.com",
          "ivİ-x@example.com",
          "i\u0307vi@example.com",
          "ＦＵＬＬ@example.com",
          "ﬁle@example.com",
          "Straße@example.com",
          "ΣΊΣΥΦΟΣ@example.com",
          "e\u0301@example.com",
          "ǅ@example.com",
          "K@example.com");

  @Test
  void asciiLettersFoldAndEverythingElseIsNfkc() {
    assertThat(EmailKey.of(" Alice@Example.COM ")).isEqualTo("alice@example.com");
    assertThat(EmailKey.of("ＦＵＬＬ@example.com")).isEqualTo("full@example.com");
    assertThat(EmailKey.of("e\u0301@x")).isEqualTo("\u00e9@x");
    // No locale-dependent folding: İ is not i, nor i with a combining dot.
    assertThat(EmailKey.of("İvi@x")).isEqualTo("İvi@x");
    assertThat(EmailKey.of("İvi@x")).isNotEqualTo(EmailKey.of("ivi@x"));
  }

  @Test
  void theSqlKeyOfTheMigrationIsTheJavaKey(LedgerFixture ledger) {
    for (String email : SPELLINGS) {
      String sql =
          await(
                  ledger
                      .pools
                      .primary()
                      .preparedQuery("SELECT coffer_email_key($1)")
                      .execute(Tuple.of(email)))
              .iterator()
              .next()
              .getString(0);
      assertThat(sql).as(email).isEqualTo(EmailKey.of(email));
    }
  }

  @Test
  void everySpellingWithTheSameKeyFindsTheOneUser(LedgerFixture ledger) {
    String local = "ivi-" + UUID.randomUUID();
    await(ledger.users.create(local + "@Example.com", "hash"));
    for (String spelling :
        new String[] {local + "@example.com", local.toUpperCase() + "@EXAMPLE.COM"}) {
      assertThat(await(ledger.users.findByEmail(spelling))).as(spelling).isPresent();
    }
    // Postgres's lower() would have matched this one; the key does not fold İ.
    String dotted = "İ" + local.substring(1) + "@example.com";
    assertThat(await(ledger.users.findByEmail(dotted))).isEmpty();
  }

  @Test
  void aRowInsertedWithoutAKeyGetsTheSqlKey(LedgerFixture ledger) {
    String email = "Old-Release-" + UUID.randomUUID() + "@Example.com";
    await(
        ledger
            .pools
            .primary()
            .preparedQuery("INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'h')")
            .execute(Tuple.of(UUID.randomUUID(), email)));
    assertThat(await(ledger.users.findByEmail(email.toLowerCase()))).isPresent();
  }
}
