package dev.coffer.api;

import dev.coffer.api.account.AccountCache;
import dev.coffer.api.account.AccountRoutes;
import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.health.DependencyChecks;
import dev.coffer.api.health.HealthRoutes;
import dev.coffer.api.http.HttpVerticle;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.ratelimit.RateLimiting;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.api.transfer.TransferRoutes;
import dev.coffer.api.user.PasswordHasher;
import dev.coffer.api.user.UserRoutes;
import dev.coffer.ledger.Ledger;
import dev.coffer.ledger.LedgerMaintenance;
import dev.coffer.ledger.migration.LedgerMigrations;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
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
    GuardedRedis redis = new GuardedRedis(vertx, infra.redis(), config.redisTimeout());
    SessionStore sessions = new SessionStore(redis, config.sessionTtl());
    AccountCache cache = new AccountCache(config.cacheAccounts(), redis, config.cacheTtl());
    OperationHandlers handlers = operations(vertx, config, infra.ledger(), sessions, cache, health);
    SessionAuthentication authentication = new SessionAuthentication(sessions);
    SlidingWindowLimiter limiter = new SlidingWindowLimiter(redis);
    RateLimiting limits =
        new RateLimiting(
            config.rateLimits(),
            limiter,
            ClientAddresses.trusting(config.rateLimits().trustedProxies()));
    // Bound to no context: its listeners run even after a failed start has closed the event loops.
    Promise<CofferServer> result = Promise.promise();
    migrate(vertx, config)
        .compose(
            v ->
                vertx.deployVerticle(
                    () -> new HttpVerticle(config, handlers, authentication, limits),
                    new DeploymentOptions().setInstances(config.eventLoopInstances())))
        .compose(
            id ->
                // Saves the first calls an EVAL; when Redis is not up yet they fall back to it.
                Future.all(sessions.preload(), limiter.preload()).otherwise(e -> null).map(id))
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
        .onSuccess(result::complete)
        .onFailure(e -> closeAfterFailure(vertx, infra, e, result));
    return result.future();
  }

  // Closing Vert.x from one of its own event loops would strand every callback still due on it, so
  // a failed start is cleaned up from a plain thread, and reported from there.
  private static void closeAfterFailure(
      Vertx vertx, Infrastructure infra, Throwable failure, Promise<CofferServer> reported) {
    LOG.log(Level.SEVERE, "Coffer failed to start; closing what it opened", failure);
    new Thread(
            () -> {
              try {
                infra.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
              } catch (Exception e) {
                LOG.log(Level.WARNING, "closing after a failed start: " + e);
              }
              reported.fail(failure);
            },
            "coffer-start-failure")
        .start();
  }

  private static OperationHandlers operations(
      Vertx vertx,
      CofferConfig config,
      Ledger ledger,
      SessionStore sessions,
      AccountCache cache,
      HealthRoutes health) {
    WriteReceipts receipts = new WriteReceipts(sessions);
    OperationHandlers handlers = new OperationHandlers();
    health.addTo(handlers);
    new UserRoutes(
            ledger.users(),
            new PasswordHasher(vertx, config.passwordHashCost()),
            sessions,
            receipts)
        .addTo(handlers);
    new AccountRoutes(ledger.accounts(), ledger.entries(), receipts, cache).addTo(handlers);
    new TransferRoutes(ledger.transfers(), receipts, cache).addTo(handlers);
    return handlers;
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
