package dev.coffer.api;

import dev.coffer.api.account.AccountCache;
import dev.coffer.api.account.AccountRoutes;
import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.health.DependencyChecks;
import dev.coffer.api.health.HealthRoutes;
import dev.coffer.api.http.HttpVerticle;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.metrics.CofferMetrics;
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
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A running Coffer: Vert.x, its clients, and one HTTP verticle per event loop. */
public final class CofferServer {
  private static final Logger LOG = Logger.getLogger(CofferServer.class.getName());

  private final Vertx vertx;
  private final CofferConfig config;
  private final Infrastructure infra;
  private final LedgerMaintenance maintenance;
  private final AtomicBoolean shuttingDown;
  private final AtomicInteger inFlight;
  private final String deployment;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Promise<Void> stopped = Promise.promise();

  private CofferServer(
      Vertx vertx,
      CofferConfig config,
      Infrastructure infra,
      LedgerMaintenance maintenance,
      AtomicBoolean shuttingDown,
      AtomicInteger inFlight,
      String deployment) {
    this.vertx = vertx;
    this.config = config;
    this.infra = infra;
    this.maintenance = maintenance;
    this.shuttingDown = shuttingDown;
    this.inFlight = inFlight;
    this.deployment = deployment;
  }

  /** Migrates the database (when configured), connects, and starts serving. */
  public static Future<CofferServer> start(CofferConfig config) {
    CofferMetrics metrics = CofferMetrics.create();
    MeterRegistry registry = metrics.registry();
    Vertx vertx =
        metrics.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoopInstances()));
    Infrastructure infra = Infrastructure.create(vertx, config);
    AtomicBoolean shuttingDown = new AtomicBoolean();
    AtomicInteger inFlight = new AtomicInteger();
    HealthRoutes health =
        new HealthRoutes(
            DependencyChecks.create(vertx, infra, config.healthCheckTimeout()), shuttingDown::get);
    GuardedRedis redis = new GuardedRedis(vertx, infra.redis(), config.redisTimeout());
    SessionStore sessions = new SessionStore(redis, config.sessionTtl());
    AccountCache cache = new AccountCache(config.cacheAccounts(), redis, config.cacheTtl());
    OperationHandlers handlers =
        operations(vertx, config, infra.ledger(), sessions, cache, health, metrics);
    SlidingWindowLimiter limiter = new SlidingWindowLimiter(redis);
    ClientAddresses clients = ClientAddresses.trusting(config.rateLimits().trustedProxies());
    HttpVerticle.Shared shared =
        new HttpVerticle.Shared(
            config,
            handlers,
            new SessionAuthentication(sessions),
            new RateLimiting(config.rateLimits(), limiter, clients, registry),
            clients,
            inFlight,
            shuttingDown::get,
            registry);
    registerGauges(registry, infra.ledger(), cache, inFlight);
    // Alerting needs the breaker's state as a series: an open breaker is otherwise only a log line.
    Gauge.builder("coffer.redis.circuit.open", redis, r -> r.open() ? 1 : 0)
        .description("1 while the Redis circuit breaker fails calls at once, else 0")
        .register(registry);
    // Bound to no context: its listeners run even after a failed start has closed the event loops.
    Promise<CofferServer> result = Promise.promise();
    migrate(vertx, config)
        .compose(
            v ->
                vertx.deployVerticle(
                    () -> new HttpVerticle(shared),
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
              return new CofferServer(
                  vertx, config, infra, maintenance, shuttingDown, inFlight, id);
            })
        .onSuccess(result::complete)
        .onFailure(e -> closeAfterFailure(vertx, infra, e, result));
    return result.future();
  }

  private static void registerGauges(
      MeterRegistry registry, Ledger ledger, AccountCache cache, AtomicInteger inFlight) {
    Gauge.builder("coffer.replica.lag.bytes", ledger.reads(), r -> r.lagBytes())
        .description("WAL the replica has yet to replay (-1: unknown)")
        .register(registry);
    Gauge.builder("coffer.replica.lag.seconds", ledger.reads(), r -> r.lagMillis() / 1000.0)
        .description(
            "age of the replica's last replayed transaction while it is behind (-1: unknown)")
        .register(registry);
    Gauge.builder("coffer.http.in.flight.requests", inFlight, AtomicInteger::get)
        .description("requests being served, health and metrics excepted")
        .register(registry);
    FunctionCounter.builder("coffer.account.cache.requests", cache, AccountCache::hits)
        .tag("result", "hit")
        .register(registry);
    FunctionCounter.builder("coffer.account.cache.requests", cache, AccountCache::misses)
        .tag("result", "miss")
        .register(registry);
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
      HealthRoutes health,
      CofferMetrics metrics) {
    WriteReceipts receipts = new WriteReceipts(sessions);
    OperationHandlers handlers = new OperationHandlers();
    health.addTo(handlers);
    metrics.addTo(handlers);
    new UserRoutes(
            ledger.users(),
            new PasswordHasher(vertx, config.passwordHashCost()),
            sessions,
            receipts)
        .addTo(handlers);
    new AccountRoutes(ledger.accounts(), ledger.entries(), receipts, cache).addTo(handlers);
    new TransferRoutes(ledger.transfers(), receipts, cache, metrics.registry()).addTo(handlers);
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
    return config.httpPort();
  }

  /**
   * The graceful stop: readiness turns 503 at once; new connections are still accepted for {@code
   * COFFER_SHUTDOWN_DELAY_MS} so that load balancers notice; then the listeners close and requests
   * in flight get up to {@code COFFER_DRAIN_TIMEOUT_MS} to finish; then the background jobs, the
   * pools and the Redis client close, and Vert.x last. Calling it again returns the same future.
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return stopped.future();
    }
    shuttingDown.set(true);
    LOG.info(
        "shutting down: readiness is 503; accepting connections for "
            + config.shutdownDelay().toMillis()
            + " ms more, then draining for up to "
            + config.drainTimeout().toMillis()
            + " ms");
    Promise<Void> delayed = Promise.promise();
    if (config.shutdownDelay().isZero()) {
      delayed.complete();
    } else {
      vertx.setTimer(config.shutdownDelay().toMillis(), id -> delayed.complete());
    }
    delayed
        .future()
        .compose(
            v -> {
              LOG.info(
                  "no longer accepting connections; " + inFlight.get() + " requests in flight");
              return vertx.undeploy(deployment);
            })
        .onComplete(
            drained -> {
              if (drained.failed()) {
                LOG.log(Level.WARNING, "draining failed", drained.cause());
              }
              LOG.info("drained; closing background jobs, pools and Redis");
              maintenance.stop();
            })
        .eventually(infra::close)
        // Vert.x is closed from a plain thread: closing it from its own event loop would strand
        // the callbacks that report it done.
        .onComplete(
            ar ->
                new Thread(
                        () -> {
                          try {
                            vertx
                                .close()
                                .toCompletionStage()
                                .toCompletableFuture()
                                .get(30, TimeUnit.SECONDS);
                          } catch (Exception e) {
                            LOG.log(Level.WARNING, "closing Vert.x: " + e);
                          }
                          LOG.info("stopped");
                          stopped.tryComplete();
                        },
                        "coffer-stop")
                    .start());
    return stopped.future();
  }
}
