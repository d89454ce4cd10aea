package dev.coffer.ledger.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.db.DatabaseSettings;
import dev.coffer.ledger.db.PgServers;
import dev.coffer.testkit.TestStack;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ledger's stored code lives in db/functions/, one file per function, applied with runOnChange:
 * a reader finds today's definition in one place, and a change to it is an ordinary diff. These
 * tests hold that layout to the database, and show that a database of the release before it
 * (migrated up to changeset 020, whose changesets carried whole copies of each function) upgrades
 * to exactly what a new database gets.
 */
class StoredCodeTest {
  private static final String FUNCTIONS =
      "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
          + " JOIN pg_namespace n ON n.oid = p.pronamespace"
          + " JOIN pg_language l ON l.oid = p.prolang"
          + " WHERE n.nspname = current_schema() AND l.lanname IN ('plpgsql', 'sql')";

  @Test
  void everyFunctionHasAFileOfItsOwnAndEveryFileAFunction() throws Exception {
    Map<String, String> database;
    try (Connection connection = connect(null)) {
      LedgerMigrations.apply(connection, LedgerMigrations.CHANGELOG);
      database = functions(connection, "public");
    }
    assertThat(database.keySet()).isEqualTo(functionFiles());
  }

  @Test
  void aDatabaseOfTheLastReleaseUpgradesToWhatANewOneGets() throws Exception {
    String schema = "upgrade_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection admin = connect(null)) {
      Map<String, String> fresh = functions(admin, "public");
      try (Statement statement = admin.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      }
      try {
        try (Connection upgraded = connect(schema)) {
          LedgerMigrations.apply(upgraded, "db/history/changelog-020.xml");
          LedgerMigrations.apply(upgraded, LedgerMigrations.CHANGELOG);
          assertThat(functions(upgraded, schema)).isEqualTo(fresh);
        }
      } finally {
        try (Statement statement = admin.createStatement()) {
          statement.execute("DROP SCHEMA " + schema + " CASCADE");
        }
      }
    }
  }

  // Definitions with the schema's name taken out, so that two schemas compare.
  private static Map<String, String> functions(Connection connection, String schema)
      throws SQLException {
    Map<String, String> definitions = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(FUNCTIONS)) {
      while (rows.next()) {
        String previous =
            definitions.put(rows.getString(1), rows.getString(2).replace(schema + ".", "SCHEMA."));
        assertThat(previous).as("one function named %s", rows.getString(1)).isNull();
      }
    }
    return definitions;
  }

  private static java.util.Set<String> functionFiles() throws Exception {
    URL folder = StoredCodeTest.class.getClassLoader().getResource("db/functions");
    assertThat(folder).isNotNull();
    try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
      return files
          .map(f -> f.getFileName().toString())
          .map(name -> name.substring(0, name.length() - ".sql".length()))
          .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
  }

  // The test stack's primary; with a schema, one whose search path starts there.
  private static Connection connect(String schema) throws SQLException {
    PgServers primary =
        DatabaseSettings.fromUris(
                TestStack.get().settings().pgPrimary(), TestStack.get().settings().pgReplica())
            .primary();
    PgConnectOptions target = primary.first();
    String url = primary.jdbcUrl();
    if (schema != null) {
      url += (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
    return DriverManager.getConnection(url, target.getUser(), target.getPassword());
  }
}
