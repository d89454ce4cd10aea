package dev.coffer.api.server;

import dev.coffer.api.access.ScopeCheck;
import dev.coffer.api.account.AccountCache;
import dev.coffer.api.account.AccountRoutes;
import dev.coffer.api.apikey.ApiKeyAuthentication;
import dev.coffer.api.apikey.ApiKeyMetrics;
import dev.coffer.api.apikey.ApiKeyMirror;
import dev.coffer.api.apikey.ApiKeyRoutes;
import dev.coffer.api.apikey.ApiKeyTokens;
import dev.coffer.api.balance.BalanceRoutes;
import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.config.HttpSettings;
import dev.coffer.api.dashboard.DashboardRoutes;
import dev.coffer.api.docs.ApiReferenceRoutes;
import dev.coffer.api.export.ExportMetrics;
import dev.coffer.api.export.ExportRoutes;
import dev.coffer.api.health.DependencyChecks;
import dev.coffer.api.health.HealthRoutes;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RouteStage;
import dev.coffer.api.journal.JournalAudit;
import dev.coffer.api.journal.JournalRoutes;
import dev.coffer.api.metrics.CofferMetrics;
import dev.coffer.api.metrics.DatabasePoolSizes;
import dev.coffer.api.metrics.GroupCommitMeters;
import dev.coffer.api.metrics.ReplicaLagGauges;
import dev.coffer.api.monitor.MonitorRoutes;
import dev.coffer.api.ratelimit.RateLimiting;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import dev.coffer.api.redis.GuardedRedis;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.api.statement.StatementRoutes;
import dev.coffer.api.stream.AccountFeeds;
import dev.coffer.api.stream.SessionEnds;
import dev.coffer.api.stream.StreamBus;
import dev.coffer.api.stream.StreamServer;
import dev.coffer.api.tracing.CurrentSpan;
import dev.coffer.api.tracing.Tracing;
import dev.coffer.api.transfer.MoveTerms;
import dev.coffer.api.transfer.TransactionRoutes;
import dev.coffer.api.transfer.TransferRoutes;
import dev.coffer.api.user.LoginThrottle;
import dev.coffer.api.user.PasswordHasher;
import dev.coffer.api.user.UserRoutes;
import dev.coffer.api.webhook.WebhookDispatcher;
import dev.coffer.api.webhook.WebhookRoutes;
import dev.coffer.ledger.LedgerMaintenance;
import dev.coffer.ledger.db.DatabaseSettings;
import dev.coffer.ledger.migration.LedgerMigrations;
import dev.coffer.ledger.monitor.MonitorService;
import dev.coffer.ledger.statement.StatementService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running Coffer: Vert.x, its clients, and one HTTP verticle per event loop.
 *
 * <p>The one place that knows every feature: it builds them, each from only the settings it reads,
 * binds their meters, composes the routes' stages, and starts in one chain of named steps.
 */
public final class CofferServer {
  private static final Logger LOG = Logger.getLogger(CofferServer.class.getName());

  private final CofferConfig config;

  static {
    Tracing.prepare();
  }

  private final CofferMetrics metrics;
  private final Tracing tracing;
  private final Vertx vertx;
  private final Infrastructure infra;
  private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(10);
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  // Ready only once start-up has run to its end (connections warmed, jobs started).
  private final AtomicBoolean started = new AtomicBoolean();
  private final InFlightRequests inFlight;
  private final EventLoopDelayProbe delayProbe = new EventLoopDelayProbe();
  private final GuardedRedis redis;
  private final SessionStore sessions;
  private final SlidingWindowLimiter limiter;
  private final WriteReceipts receipts;
  // Read from the jar here, on the caller's thread, not later on an event loop.
  private final DashboardRoutes dashboard = new DashboardRoutes();
  private final ApiReferenceRoutes apiReference = new ApiReferenceRoutes();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Promise<Void> stopped = Promise.promise();
  private LedgerMaintenance maintenance;
  private final JournalAudit journalAudit;
  private final ExportMetrics exportMetrics = new ExportMetrics();
  private final WebhookDispatcher webhooks;
  private final ApiKeyTokens apiKeyTokens;
  private final ApiKeyMirror apiKeyMirror;
  private final ApiKeyMetrics apiKeyMetrics = new ApiKeyMetrics();
  private AccountFeeds feeds;
  private String deployment;

  private CofferServer(CofferConfig config) {
    this.config = config;
    this.tracing = Tracing.start(config.tracing(), config.instanceId());
    this.metrics = CofferMetrics.create(tracing.enabled() ? new CurrentSpan() : null);
    HttpSettings http = config.http();
    this.vertx =
        metrics.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(http.eventLoops())
                .setPreferNativeTransport(http.nativeTransport()),
            tracing.vertxTracer());
    if (http.nativeTransport() && !vertx.isNativeTransportEnabled()) {
      LOG.warning(
          "native transport unavailable, using Java NIO: "
              + vertx.unavailableNativeTransportCause());
    }
    this.infra =
        Infrastructure.create(
            vertx,
            config.database(),
            config.groupCommit(),
            config.redis(),
            config.maxReplicaLag(),
            tracing.writeTracing());
    this.inFlight = new InFlightRequests(http.maxInFlight());
    this.redis = new GuardedRedis(infra.redis(), config.redis().timeout());
    this.sessions = new SessionStore(redis, config.sessions());
    this.limiter = new SlidingWindowLimiter(redis);
    this.receipts = new WriteReceipts(sessions);
    this.journalAudit = new JournalAudit(vertx, infra.ledger().journal(), config.journal());
    this.webhooks =
        new WebhookDispatcher(
            vertx, infra.ledger().webhooks(), config.webhooks(), tracing.deliveryTracing());
    this.apiKeyTokens = new ApiKeyTokens(config.apiKeys().serviceKey());
    this.apiKeyMirror = new ApiKeyMirror(redis);
    if (!config.apiKeys().serviceKeyConfigured()) {
      LOG.warning(
          "COFFER_API_KEY_SECRET is not set: API keys are tagged and hashed with a development"
              + " key; set it (the same on every instance) before real use");
    }
  }

  /** Migrates the database (when configured), connects, and starts serving. */
  public static Future<CofferServer> start(CofferConfig config) {
    return start(config, List.of());
  }

  /**
   * As {@link #start(CofferConfig)}, with meters of the process around the server (its log writer)
   * served on {@code /metrics} too.
   */
  public static Future<CofferServer> start(CofferConfig config, List<MeterBinder> processMeters) {
    CofferServer server = new CofferServer(config);
    server.bindMeters(processMeters);
    // Bound to no context: its listeners run even after a failed start has closed the event loops.
    Promise<CofferServer> result = Promise.promise();
    server
        .migrateDatabase()
        .compose(v -> server.deployHttpVerticles())
        .compose(v -> server.preloadRedisScripts())
        .compose(v -> server.warmUpConnections())
        .compose(v -> server.startMaintenance())
        .onSuccess(v -> server.started.set(true))
        .map(server)
        .onSuccess(result::complete)
        .onFailure(e -> server.closeAfterFailure(e, result));
    return result.future();
  }

  private Future<Void> migrateDatabase() {
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

  private Future<Void> deployHttpVerticles() {
    ClientAddresses clients = ClientAddresses.trusting(config.rateLimits().trustedProxies());
    AccountCache cache = new AccountCache(config.accountCache(), redis);
    RateLimiting limits = new RateLimiting(config.rateLimits(), limiter, clients);
    SessionAuthentication authentication =
        new SessionAuthentication(
            sessions,
            new ApiKeyAuthentication(
                apiKeyTokens,
                apiKeyMirror,
                infra.ledger().apiKeys(),
                limits.keyPolicy(),
                apiKeyMetrics),
            clients);
    AccountFeeds feeds =
        new AccountFeeds(vertx, infra.ledger().entries(), tracing.deliveryTracing());
    StreamBus bus = new StreamBus(vertx, infra.redis(), config.redis().nodes(), feeds::readAll);
    feeds.useBus(bus);
    SessionEnds sessionEnds = new SessionEnds(bus);
    feeds.startReconciling(config.stream().reconcilePeriod());
    this.feeds = feeds;
    Map<UUID, AtomicInteger> streamsPerUser = new ConcurrentHashMap<>();
    TransferRoutes transfers =
        new TransferRoutes(
            infra.ledger().transfers(),
            receipts,
            cache,
            feeds::announce,
            new MoveTerms(config.maxBackDating()));
    OpenConnections connections = new OpenConnections(config.http().maxConnections());
    bindMeters(
        List.of(
            inFlight,
            connections,
            delayProbe,
            redis,
            new ReplicaLagGauges(infra.ledger().reads()),
            new GroupCommitMeters(infra.ledger().transfers().groups()),
            new DatabasePoolSizes(config.database()),
            cache,
            limits,
            transfers,
            feeds,
            journalAudit,
            exportMetrics,
            webhooks,
            apiKeyMetrics,
            registry ->
                Gauge.builder(
                        "coffer.native.transport", () -> vertx.isNativeTransportEnabled() ? 1 : 0)
                    .description("1 when every socket runs on Linux's epoll, 0 on Java NIO")
                    .register(registry)));
    HttpVerticle.Shared shared =
        new HttpVerticle.Shared(
            config.http(),
            operations(cache, transfers, sessionEnds, clients),
            stages(limits, authentication),
            inFlight,
            connections,
            clients,
            shuttingDown::get,
            delayProbe,
            loop ->
                new StreamServer(
                    loop,
                    sessions,
                    authentication,
                    feeds,
                    sessionEnds,
                    config.stream(),
                    streamsPerUser,
                    limiter,
                    config.rateLimits(),
                    clients));
    return vertx
        .deployVerticle(
            () -> new HttpVerticle(shared),
            new DeploymentOptions().setInstances(config.http().eventLoops()))
        .map(
            id -> {
              deployment = id;
              return null;
            });
  }

  // Every component that measures something is a MeterBinder, bound here once.
  private void bindMeters(List<MeterBinder> binders) {
    binders.forEach(binder -> binder.bindTo(metrics.registry()));
  }

  // In this order on every operation's route, before validation and the handler: resolve the
  // session or API key (if the operation takes one), limit by address (a token naming no live
  // credential counts as anonymous), refuse the unauthenticated, hold an API key to its scopes
  // and accounts, then limit by user.
  private List<RouteStage> stages(RateLimiting limits, SessionAuthentication authentication) {
    ScopeCheck scopes = new ScopeCheck(() -> apiKeyMetrics.count("insufficient-scope"));
    return List.of(
        (operation, secured) ->
            secured ? authentication.resolver(limits.userPolicies(operation)) : null,
        limits::byAddress,
        (operation, secured) -> secured ? SessionAuthentication::require : null,
        scopes::forOperation,
        limits::byUser);
  }

  private OperationHandlers operations(
      AccountCache cache,
      TransferRoutes transfers,
      SessionEnds sessionEnds,
      ClientAddresses clients) {
    OperationHandlers handlers = new OperationHandlers();
    new HealthRoutes(
            DependencyChecks.create(
                vertx, infra.databases(), infra.redis(), config.healthCheckTimeout()),
            started::get,
            shuttingDown::get)
        .addTo(handlers);
    metrics.addTo(handlers);
    StreamServer.addTo(handlers);
    dashboard.addTo(handlers);
    apiReference.addTo(handlers);
    new UserRoutes(
            infra.ledger().users(),
            new PasswordHasher(vertx, config.passwordHashCost()),
            sessions,
            receipts,
            sessionEnds::announce,
            new LoginThrottle(redis, config.rateLimits(), config.sessions().ttl()))
        .addTo(handlers);
    new AccountRoutes(
            infra.ledger().accounts(), infra.ledger().entries(), receipts, cache, feeds::announce)
        .addTo(handlers);
    new BalanceRoutes(infra.ledger().balances()).addTo(handlers);
    new StatementRoutes(new StatementService(infra.ledger().reads())).addTo(handlers);
    new MonitorRoutes(new MonitorService(infra.ledger().writes(), infra.ledger().reads()), receipts)
        .addTo(handlers);
    transfers.addTo(handlers);
    new TransactionRoutes(
            infra.ledger().transactions(), transfers, new MoveTerms(config.maxBackDating()))
        .addTo(handlers);
    new JournalRoutes(infra.ledger().journal()).addTo(handlers);
    new ExportRoutes(infra.ledger().journalReader(), exportMetrics, config.exports())
        .addTo(handlers);
    new WebhookRoutes(infra.ledger().webhooks(), receipts, config.webhooks()).addTo(handlers);
    new ApiKeyRoutes(
            infra.ledger().apiKeys(),
            apiKeyMirror,
            apiKeyTokens,
            config.apiKeys(),
            receipts,
            clients,
            sessionEnds::announce)
        .addTo(handlers);
    return handlers;
  }

  // Saves the first calls an EVAL; when Redis is not up yet they fall back to it.
  private Future<Void> preloadRedisScripts() {
    return Future.all(sessions.preload(), limiter.preload(), apiKeyMirror.preload())
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  // Twice the Redis pool size in concurrent calls, spread over the masters, three times, and every
  // connection of the database pools (the pipelining client's with as many reads as it may hold):
  // what a first burst of requests would otherwise open.
  private Future<Void> warmUpConnections() {
    DatabaseSettings db = config.database();
    return ConnectionWarmUp.run(
        infra.redis(),
        2 * config.redis().poolSize(),
        3,
        Map.of(
            infra.databases().primary(), db.primaryPoolSize(),
            infra.databases().replica(), db.replicaHoldingPoolSize(),
            infra.databases().replicaReads(), db.replicaReadsPoolSize() * db.replicaPipelining()),
        WARM_UP_LIMIT);
  }

  private Future<Void> startMaintenance() {
    maintenance =
        new LedgerMaintenance(
            vertx,
            infra.databases().primary(),
            infra.ledger().transfers(),
            infra.ledger().reads(),
            config.idempotencyRetention());
    // Expiries are announced as a client's write is: streams get them at once, not at the next
    // reconcile.
    maintenance.onExpired(feeds::announce);
    maintenance.start();
    journalAudit.start();
    webhooks.start();
    return Future.succeededFuture();
  }

  // Closing Vert.x from one of its own event loops would strand every callback still due on it, so
  // a failed start is cleaned up from a plain thread, and reported from there.
  private void closeAfterFailure(Throwable failure, Promise<CofferServer> reported) {
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

  public int port() {
    return config.http().port();
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
            + config.http().shutdownDelay().toMillis()
            + " ms more, then draining for up to "
            + config.http().drainTimeout().toMillis()
            + " ms");
    Promise<Void> delayed = Promise.promise();
    if (config.http().shutdownDelay().isZero()) {
      delayed.complete();
    } else {
      vertx.setTimer(config.http().shutdownDelay().toMillis(), id -> delayed.complete());
    }
    delayed
        .future()
        .compose(
            v -> {
              LOG.info(
                  "no longer accepting connections; " + inFlight.current() + " requests in flight");
              return vertx.undeploy(deployment);
            })
        .onComplete(
            drained -> {
              if (drained.failed()) {
                LOG.log(Level.WARNING, "draining failed", drained.cause());
              }
              LOG.info("drained; closing background jobs, pools and Redis");
              maintenance.stop();
              journalAudit.stop();
              webhooks.stop();
              if (feeds != null) {
                feeds.stop();
              }
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
                          tracing.close();
                          LOG.info("stopped");
                          stopped.tryComplete();
                        },
                        "coffer-stop")
                    .start());
    return stopped.future();
  }
}
