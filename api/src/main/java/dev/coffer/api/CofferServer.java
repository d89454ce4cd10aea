package dev.coffer.api;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.health.DependencyChecks;
import dev.coffer.api.health.HealthRoutes;
import dev.coffer.api.http.HttpVerticle;
import dev.coffer.ledger.LedgerMaintenance;
import dev.coffer.ledger.migration.LedgerMigrations;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/** A running Coffer: Vert.x, its clients, and one HTTP verticle per event loop. */
public final class CofferServer {
  private static final Logger LOG = Logger.getLogger(CofferServer.class.getName());

  private final Vertx vertx;
  private final Infrastructure infra;
  private final LedgerMaintenance maintenance;
  private final AtomicBoolean shuttingDown;
  private final int port;

  private CofferServer(
      Vertx vertx,
      Infrastructure infra,
      LedgerMaintenance maintenance,
      AtomicBoolean shuttingDown,
      int port) {
    this.vertx = vertx;
    this.infra = infra;
    this.maintenance = maintenance;
    this.shuttingDown = shuttingDown;
    this.port = port;
  }

  /** Migrates the database (when configured), connects, and starts serving. */
  public static Future<CofferServer> start(CofferConfig config) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoopInstances()));
    Infrastructure infra = Infrastructure.create(vertx, config);
    AtomicBoolean shuttingDown = new AtomicBoolean();
    HealthRoutes health =
        new HealthRoutes(
            DependencyChecks.create(vertx, infra, config.healthCheckTimeout()), shuttingDown::get);
    return migrate(vertx, config)
        .compose(
            v ->
                vertx.deployVerticle(
                    () -> new HttpVerticle(config, health),
                    new DeploymentOptions().setInstances(config.eventLoopInstances())))
        .map(
            id -> {
              LedgerMaintenance maintenance =
                  new LedgerMaintenance(
                      vertx,
                      infra.databases().primary(),
                      infra.ledger().transfers(),
                      infra.ledger().reads(),
                      config.idempotencyRetention());
              maintenance.start();
              return new CofferServer(vertx, infra, maintenance, shuttingDown, config.httpPort());
            })
        .recover(
            e -> infra.close().eventually(vertx::close).transform(ar -> Future.failedFuture(e)));
  }

  private static Future<Void> migrate(Vertx vertx, CofferConfig config) {
    if (!config.migrateOnStart()) {
      LOG.info("skipping database migrations (COFFER_MIGRATE_ON_START=false)");
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(
        () -> {
          LedgerMigrations.update(config.database().primary());
          return null;
        });
  }

  public int port() {
    return port;
  }

  /** Turns readiness to 503, then closes the server, the clients and Vert.x. */
  public Future<Void> stop() {
    shuttingDown.set(true);
    maintenance.stop();
    return infra.close().eventually(vertx::close);
  }
}
