package dev.coffer.ledger.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import liquibase.ChecksumVersion;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import org.junit.jupiter.api.Test;

/**
 * Applied changesets are history: their checksums are recorded in {@code db/applied-changesets.txt}
 * and must never change. A change to the schema is a new changeset, recorded by adding its line to
 * that file. Stored code is the exception: each function's file in {@code db/functions/} is one
 * runOnChange changeset, changed by editing it (see {@link StoredCodeTest}), and only those are.
 */
class ChangelogHistoryTest {
  private static final String RECORD = "db/applied-changesets.txt";

  @Test
  void appliedChangesetsNeverChangeAndNewOnesAreRecorded() throws Exception {
    Map<String, String> recorded = recorded();
    Map<String, String> current = current();
    assertThat(current)
        .as("every changeset must be recorded in %s with its checksum", RECORD)
        .containsAllEntriesOf(recorded);
    assertThat(recorded)
        .as(
            "a new changeset is recorded in %s; add these lines (id, tab, checksum):\n%s",
            RECORD, lines(current, recorded))
        .containsOnlyKeys(current.keySet());
  }

  private static String lines(Map<String, String> current, Map<String, String> recorded) {
    StringBuilder missing = new StringBuilder();
    current.forEach(
        (id, sum) -> {
          if (!recorded.containsKey(id)) {
            missing.append(id).append('\t').append(sum).append('\n');
          }
        });
    return missing.toString();
  }

  private static Map<String, String> current() throws Exception {
    ResourceAccessor resources = new ClassLoaderResourceAccessor();
    DatabaseChangeLog changelog =
        ChangeLogParserFactory.getInstance()
            .getParser(LedgerMigrations.CHANGELOG, resources)
            .parse(LedgerMigrations.CHANGELOG, new ChangeLogParameters(), resources);
    Map<String, String> sums = new LinkedHashMap<>();
    for (ChangeSet changeSet : changelog.getChangeSets()) {
      boolean storedCode = changeSet.getFilePath().startsWith("db/functions/");
      assertThat(changeSet.isRunOnChange())
          .as("%s is runOnChange exactly when it is stored code", changeSet.getId())
          .isEqualTo(storedCode);
      if (storedCode) {
        continue;
      }
      sums.put(
          changeSet.getAuthor() + ":" + changeSet.getId(),
          changeSet.generateCheckSum(ChecksumVersion.latest()).toString());
    }
    return sums;
  }

  private static Map<String, String> recorded() throws IOException {
    Map<String, String> sums = new LinkedHashMap<>();
    try (InputStream in = ChangelogHistoryTest.class.getClassLoader().getResourceAsStream(RECORD)) {
      assertThat(in).as(RECORD).isNotNull();
      new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .forEach(
              line -> {
                String[] parts = line.split("\t");
                sums.put(parts[0], parts[1]);
              });
    }
    return sums;
  }
}
