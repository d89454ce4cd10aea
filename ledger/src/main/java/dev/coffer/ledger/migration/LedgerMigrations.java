package dev.coffer.ledger.migration;

import dev.coffer.ledger.db.PgServers;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.logging.Logger;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.ui.LoggerUIService;

/**
 * Applies the ledger's Liquibase changelogs. Blocking (JDBC): call it from a worker thread.
 *
 * <p>Liquibase takes its own lock table row, so several instances starting at once are safe.
 */
public final class LedgerMigrations {
  /** The master changelog, on the classpath. */
  public static final String CHANGELOG = "db/changelog/db.changelog-master.xml";

  private static final Logger LOG = Logger.getLogger(LedgerMigrations.class.getName());

  static {
    // Liquibase 4.33 phones home unless told not to; this machine has no network anyway.
    System.setProperty("liquibase.analytics.enabled", "false");
    System.setProperty("liquibase.showBanner", "false");
  }

  private LedgerMigrations() {}

  /** Brings the database at {@code target} up to the newest changelog. */
  public static void update(PgConnectOptions target) {
    update(PgServers.of(target));
  }

  /** As {@link #update(PgConnectOptions)}, on whichever of {@code servers} fits their target. */
  public static void update(PgServers servers) {
    long started = System.nanoTime();
    PgConnectOptions target = servers.first();
    try (Connection connection =
        DriverManager.getConnection(servers.jdbcUrl(), target.getUser(), target.getPassword())) {
      apply(connection, CHANGELOG);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to the primary database to migrate", e);
    } catch (Exception e) {
      throw new IllegalStateException("database migration failed", e);
    }
    LOG.info(
        () ->
            "database migrations applied in " + (System.nanoTime() - started) / 1_000_000 + " ms");
  }

  /** Applies {@code changelog} (a classpath resource) through {@code connection}. */
  static void apply(Connection connection, String changelog) throws Exception {
    Database database =
        DatabaseFactory.getInstance()
            .findCorrectDatabaseImplementation(new JdbcConnection(connection));
    // Route Liquibase's console output to the log, so stdout stays one JSON object per line.
    Scope.child(
        Map.of(Scope.Attr.ui.name(), new LoggerUIService()),
        () ->
            new CommandScope(UpdateCommandStep.COMMAND_NAME)
                .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
                .addArgumentValue(
                    ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
                .execute());
  }
}
