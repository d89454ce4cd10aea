package dev.coffer.api.config;

import dev.coffer.api.account.AccountCacheSettings;
import dev.coffer.api.apikey.ApiKeySettings;
import dev.coffer.api.client.ClientAddresses;
import dev.coffer.api.export.ExportSettings;
import dev.coffer.api.journal.JournalSettings;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.redis.RedisSettings;
import dev.coffer.api.session.SessionSettings;
import dev.coffer.api.stream.StreamSettings;
import dev.coffer.api.tracing.TracingSettings;
import dev.coffer.api.webhook.WebhookSettings;
import dev.coffer.ledger.db.DatabaseSettings;
import dev.coffer.ledger.db.PgServers;
import dev.coffer.ledger.transfer.GroupCommitSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Coffer's whole configuration, read once from environment variables with defaults.
 *
 * <p>Every variable is documented in the README's Configuration table; keep the two in step.
 */
public record CofferConfig(
    HttpSettings http,
    DatabaseSettings database,
    GroupCommitSettings groupCommit,
    RedisSettings redis,
    RateLimitSettings rateLimits,
    AccountCacheSettings accountCache,
    StreamSettings stream,
    JournalSettings journal,
    ExportSettings exports,
    WebhookSettings webhooks,
    ApiKeySettings apiKeys,
    Duration healthCheckTimeout,
    Duration maxReplicaLag,
    Duration idempotencyRetention,
    SessionSettings sessions,
    int passwordHashCost,
    boolean migrateOnStart,
    String instanceId,
    TracingSettings tracing,
    Duration maxBackDating) {

  /** Defaults that match the local stack started by {@code dev/stack up}. */
  public static final String DEFAULT_PG_PRIMARY =
      "postgresql://coffer:coffer@127.0.0.1:45432/coffer";

  public static final String DEFAULT_PG_REPLICA =
      "postgresql://coffer:coffer@127.0.0.1:45433/coffer";
  public static final String DEFAULT_REDIS_NODES =
      "redis://127.0.0.1:46379,redis://127.0.0.1:46380,redis://127.0.0.1:46381";

  /** Reads the configuration from the process environment. */
  public static CofferConfig fromEnvironment() {
    return from(System.getenv());
  }

  /** Reads the configuration from {@code env}; a malformed value fails with its variable named. */
  public static CofferConfig from(Map<String, String> env) {
    Reader r = new Reader(env);
    DatabaseSettings db =
        new DatabaseSettings(
            r.get("COFFER_PG_PRIMARY", DEFAULT_PG_PRIMARY, PgServers::fromUri),
            r.get("COFFER_PG_REPLICA", DEFAULT_PG_REPLICA, PgServers::fromUri),
            r.intIn("COFFER_PG_PRIMARY_POOL_SIZE", 16, 1, 1000),
            r.intIn("COFFER_PG_REPLICA_POOL_SIZE", 16, 1, 1000),
            r.intIn("COFFER_PG_MAX_WAIT_QUEUE", 256, 0, 100_000),
            Duration.ofMillis(r.intIn("COFFER_PG_CONNECT_TIMEOUT_MS", 2000, 100, 60_000)),
            r.intIn(
                "COFFER_PG_REPLICA_PIPELINING",
                DatabaseSettings.DEFAULT_REPLICA_PIPELINING,
                1,
                256),
            Duration.ofMillis(
                r.intIn(
                    "COFFER_PG_TCP_USER_TIMEOUT_MS",
                    (int) DatabaseSettings.DEFAULT_TCP_USER_TIMEOUT.toMillis(),
                    0,
                    600_000)));
    HttpSettings http =
        new HttpSettings(
            r.get("COFFER_HTTP_HOST", "0.0.0.0", Function.identity()),
            r.intIn("COFFER_HTTP_PORT", 8080, 1, 65535),
            r.intIn("COFFER_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256),
            r.intIn("COFFER_MAX_IN_FLIGHT", 1024, 1, 1_000_000),
            r.intIn("COFFER_HTTP_MAX_CONNECTIONS", 10_000, 1, 1_000_000),
            // Longer than the usual load balancer's keep-alive (60 s), so that it closes first.
            Duration.ofMillis(r.intIn("COFFER_HTTP_IDLE_TIMEOUT_MS", 75_000, 1000, 3_600_000)),
            Duration.ofMillis(r.intIn("COFFER_HTTP_HEADER_TIMEOUT_MS", 10_000, 100, 600_000)),
            Duration.ofMillis(r.intIn("COFFER_HTTP_BODY_TIMEOUT_MS", 30_000, 100, 600_000)),
            r.get("COFFER_HTTP_H2C", "false", CofferConfig::bool),
            Duration.ofMillis(r.intIn("COFFER_SHUTDOWN_DELAY_MS", 5000, 0, 600_000)),
            Duration.ofMillis(r.intIn("COFFER_DRAIN_TIMEOUT_MS", 20_000, 0, 600_000)),
            r.get("COFFER_NATIVE_TRANSPORT", "true", CofferConfig::bool));
    RedisSettings redis =
        new RedisSettings(
            r.get("COFFER_REDIS_NODES", DEFAULT_REDIS_NODES, CofferConfig::redisNodes),
            r.intIn("COFFER_REDIS_POOL_SIZE", 32, 1, 1000),
            Duration.ofMillis(r.intIn("COFFER_REDIS_TIMEOUT_MS", 250, 10, 30_000)));
    return new CofferConfig(
        http,
        db,
        new GroupCommitSettings(
            r.get("COFFER_GROUP_COMMIT", "true", CofferConfig::bool),
            // Under 64: see changeset 013.
            r.intIn("COFFER_GROUP_COMMIT_MAX_SIZE", 32, 1, 63),
            r.intIn("COFFER_GROUP_COMMIT_MAX_IN_FLIGHT", 4, 1, 1000),
            // Moves waiting for a group are bounded as the pool's waiters are.
            db.maxWaitQueue(),
            db.connectTimeout()),
        redis,
        new RateLimitSettings(
            r.get("COFFER_RATE_LIMIT_ENABLED", "true", CofferConfig::bool),
            r.get("COFFER_RATE_LIMIT_FAIL_CLOSED", "false", CofferConfig::bool),
            RateLimitSettings.policies(env::get),
            r.get("COFFER_TRUSTED_PROXIES", "", CofferConfig::list)),
        new AccountCacheSettings(
            r.get("COFFER_CACHE_ACCOUNTS", "false", CofferConfig::bool),
            Duration.ofMillis(r.intIn("COFFER_CACHE_TTL_MS", 30_000, 100, 3_600_000))),
        new StreamSettings(
            r.intIn("COFFER_STREAM_MAX_ACCOUNTS", 100, 1, 10_000),
            r.intIn("COFFER_STREAM_MAX_CONNECTIONS_PER_USER", 20, 1, 10_000),
            r.intIn("COFFER_STREAM_QUEUE_BYTES", 256 * 1024, 4096, 64 * 1024 * 1024),
            Duration.ofMillis(r.intIn("COFFER_STREAM_HEARTBEAT_MS", 15_000, 100, 600_000)),
            Duration.ofMillis(r.intIn("COFFER_STREAM_RECONCILE_MS", 2000, 100, 600_000)),
            Duration.ofMillis(r.intIn("COFFER_STREAM_SESSION_CHECK_MS", 30_000, 100, 3_600_000)),
            r.intIn("COFFER_STREAM_MESSAGES_PER_SECOND", 10, 1, 10_000)),
        new JournalSettings(
            Duration.ofMillis(r.intIn("COFFER_JOURNAL_AUDIT_MS", 60_000, 100, 86_400_000)),
            Duration.ofMillis(
                r.intIn("COFFER_JOURNAL_AUDIT_WINDOW_MS", 180_000, 1000, 86_400_000))),
        new ExportSettings(
            r.intIn("COFFER_EXPORT_MAX_OPEN_PER_USER", 2, 1, 1000),
            r.longIn("COFFER_EXPORT_BYTES_PER_MINUTE", 64L << 20, 1024, 1L << 40),
            Duration.ofMillis(r.intIn("COFFER_EXPORT_STALL_TIMEOUT_MS", 10_000, 100, 600_000))),
        new WebhookSettings(
            Duration.ofMillis(r.intIn("COFFER_WEBHOOK_POLL_MS", 1000, 10, 600_000)),
            Duration.ofMillis(r.intIn("COFFER_WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000)),
            Duration.ofMillis(r.intIn("COFFER_WEBHOOK_RETRY_BASE_MS", 10_000, 10, 3_600_000)),
            Duration.ofMillis(r.intIn("COFFER_WEBHOOK_RETRY_MAX_MS", 3_600_000, 10, 86_400_000)),
            Duration.ofMillis(
                r.intIn("COFFER_WEBHOOK_RETRY_FOR_MS", 86_400_000, 1000, 604_800_000)),
            Duration.ofDays(r.intIn("COFFER_EVENT_RETENTION_DAYS", 30, 2, 3650)),
            r.intIn("COFFER_WEBHOOK_MAX_PER_USER", 20, 1, 1000),
            r.get("COFFER_WEBHOOK_ALLOW_PRIVATE", "false", CofferConfig::bool),
            r.intIn("COFFER_WEBHOOK_CIRCUIT_FAILURES", 5, 1, 1000),
            Duration.ofMillis(r.intIn("COFFER_WEBHOOK_CIRCUIT_OPEN_MS", 60_000, 10, 86_400_000))),
        apiKeys(env, r),
        Duration.ofMillis(r.intIn("COFFER_HEALTH_TIMEOUT_MS", 1000, 50, 30_000)),
        Duration.ofMillis(r.intIn("COFFER_REPLICA_MAX_LAG_MS", 5000, 0, 3_600_000)),
        // The contract keeps keys at least 24 h.
        Duration.ofHours(r.intIn("COFFER_IDEMPOTENCY_RETENTION_HOURS", 48, 24, 24 * 90)),
        new SessionSettings(
            Duration.ofHours(r.intIn("COFFER_SESSION_TTL_HOURS", 24 * 7, 1, 24 * 365)),
            r.get("COFFER_SESSION_TOKENS", "tagged", CofferConfig::tokenKind)),
        // bcrypt's log2 work factor: 10 is ~50-100 ms of one core per sign-up or log-in.
        r.intIn("COFFER_PASSWORD_HASH_COST", 10, 4, 16),
        r.get("COFFER_MIGRATE_ON_START", "true", CofferConfig::bool),
        r.get("COFFER_INSTANCE_ID", defaultInstanceId(env), Function.identity()),
        TracingSettings.from(env),
        // How far back a move's effectiveAt may reach (issue 29: 30 days by default).
        Duration.ofDays(r.intIn("COFFER_BACKDATE_MAX_DAYS", 30, 0, 3650)));
  }

  // The service's key is a secret: an error names the variable, never its value.
  private static ApiKeySettings apiKeys(Map<String, String> env, Reader r) {
    String secret = env.get("COFFER_API_KEY_SECRET");
    boolean configured = secret != null && !secret.isBlank();
    if (configured && secret.trim().length() < 32) {
      throw new IllegalArgumentException(
          "invalid COFFER_API_KEY_SECRET: must be at least 32 characters (e.g. openssl rand"
              + " -base64 32)");
    }
    String key = configured ? secret.trim() : ApiKeySettings.DEVELOPMENT_KEY;
    return new ApiKeySettings(
        key.getBytes(StandardCharsets.UTF_8),
        configured,
        r.intIn("COFFER_API_KEY_MAX_PER_USER", 20, 1, 1000));
  }

  private static List<String> redisNodes(String value) {
    List<String> nodes =
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("expected a comma-separated list of redis://host:port");
    }
    // Checked whole here, so that a malformed node stops the start with this message and not,
    // later,
    // with a client's message quoting it (a node may carry a password: redis://:PASSWORD@host).
    for (String node : nodes) {
      URI uri;
      try {
        uri = new URI(node);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("not a URI");
      }
      if (!"redis".equals(uri.getScheme())
          || uri.getHost() == null
          || uri.getPort() < 1
          || uri.getPort() > 65535
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || !(uri.getRawPath() == null
              || uri.getRawPath().isEmpty()
              || uri.getRawPath().matches("/[0-9]{1,2}"))) {
        throw new IllegalArgumentException("not redis://host:port");
      }
    }
    return nodes;
  }

  private static List<String> list(String value) {
    List<String> items =
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    // Parsed now so that a bad network fails the start, naming its variable.
    ClientAddresses.trusting(items);
    return items;
  }

  private static boolean tokenKind(String value) {
    return switch (value) {
      case "tagged" -> true;
      case "plain" -> false;
      default -> throw new IllegalArgumentException("expected tagged or plain");
    };
  }

  private static boolean bool(String value) {
    return switch (value.toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  private static String defaultInstanceId(Map<String, String> env) {
    return env.getOrDefault("HOSTNAME", "coffer-" + ProcessHandle.current().pid());
  }

  /** Reads typed values, naming the variable in every error. */
  private record Reader(Map<String, String> env) {
    <T> T get(String name, String fallback, Function<String, T> parse) {
      String raw = env.getOrDefault(name, fallback);
      try {
        return parse.apply(raw.trim());
      } catch (RuntimeException e) {
        // Database URIs carry passwords: never echo them, nor a parser message quoting them.
        if (name.startsWith("COFFER_PG_")) {
          throw new IllegalArgumentException(
              "invalid " + name + ": expected postgresql://user:password@host:port/database");
        }
        if (name.equals("COFFER_REDIS_NODES")) {
          throw new IllegalArgumentException(
              "invalid " + name + ": expected a comma-separated list of redis://host:port");
        }
        throw new IllegalArgumentException(
            "invalid " + name + "=" + raw + ": " + e.getMessage(), e);
      }
    }

    long longIn(String name, long fallback, long min, long max) {
      long value = get(name, Long.toString(fallback), Long::parseLong);
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            "invalid " + name + "=" + value + ": must be between " + min + " and " + max);
      }
      return value;
    }

    int intIn(String name, int fallback, int min, int max) {
      int value = get(name, Integer.toString(fallback), Integer::parseInt);
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            "invalid " + name + "=" + value + ": must be between " + min + " and " + max);
      }
      return value;
    }
  }
}
