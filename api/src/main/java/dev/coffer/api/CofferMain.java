package dev.coffer.api;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.logging.JsonLogHandler;
import dev.coffer.api.logging.LogLines;
import dev.coffer.api.server.CofferServer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Entry point: {@code java -jar coffer-api.jar [serve|migrate]}. */
public final class CofferMain {
  private CofferMain() {}

  public static void main(String[] args) {
    CofferConfig config;
    try {
      config = CofferConfig.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("coffer: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogLines lines = JsonLogHandler.install(config.instanceId(), Level.INFO);
    Logger log = Logger.getLogger(CofferMain.class.getName());
    String command = args.length == 0 ? "serve" : args[0];
    switch (command) {
      case "serve" -> serve(config, lines, log);
      case "migrate" -> {
        // For a Kubernetes Job: migrate, then exit, with no HTTP server.
        dev.coffer.ledger.migration.LedgerMigrations.update(config.database().primary());
        lines.close();
        System.exit(0);
      }
      default -> {
        System.err.println("usage: coffer-api [serve|migrate]");
        System.exit(2);
      }
    }
  }

  private static void serve(CofferConfig config, LogLines lines, Logger log) {
    CofferServer.start(config, List.of(lines))
        .onSuccess(
            server -> {
              ShutdownSignals.install(
                  server, config.http().shutdownDelay().plus(config.http().drainTimeout()));
              log.info("Coffer listening on " + config.http().host() + ":" + server.port());
            })
        .onFailure(
            e -> {
              log.log(Level.SEVERE, "Coffer failed to start", e);
              System.exit(1);
            });
  }
}
