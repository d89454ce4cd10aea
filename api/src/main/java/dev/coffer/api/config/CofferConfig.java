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
 * <p>Every variable is a {@link Setting} (name, default, range, meaning), and is read only through
 * it; {@code docs/configuration.md} is generated from those constants.
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
            r.get(Setting.PG_PRIMARY, PgServers::fromUri),
            r.get(Setting.PG_REPLICA, PgServers::fromUri),
            r.intIn(Setting.PG_PRIMARY_POOL_SIZE),
            r.intIn(Setting.PG_REPLICA_POOL_SIZE),
            r.intIn(Setting.PG_MAX_WAIT_QUEUE),
            Duration.ofMillis(r.intIn(Setting.PG_CONNECT_TIMEOUT_MS)),
            r.intIn(Setting.PG_REPLICA_PIPELINING),
            Duration.ofMillis(r.intIn(Setting.PG_TCP_USER_TIMEOUT_MS)));
    HttpSettings http =
        new HttpSettings(
            r.get(Setting.HTTP_HOST, Function.identity()),
            r.intIn(Setting.HTTP_PORT),
            r.intIn(Setting.EVENT_LOOPS, Runtime.getRuntime().availableProcessors()),
            r.intIn(Setting.MAX_IN_FLIGHT),
            r.intIn(Setting.HTTP_MAX_CONNECTIONS),
            // Longer than the usual load balancer's keep-alive (60 s), so that it closes first.
            Duration.ofMillis(r.intIn(Setting.HTTP_IDLE_TIMEOUT_MS)),
            Duration.ofMillis(r.intIn(Setting.HTTP_HEADER_TIMEOUT_MS)),
            Duration.ofMillis(r.intIn(Setting.HTTP_BODY_TIMEOUT_MS)),
            r.get(Setting.HTTP_H2C, CofferConfig::bool),
            Duration.ofMillis(r.intIn(Setting.SHUTDOWN_DELAY_MS)),
            Duration.ofMillis(r.intIn(Setting.DRAIN_TIMEOUT_MS)),
            r.get(Setting.NATIVE_TRANSPORT, CofferConfig::bool));
    RedisSettings redis =
        new RedisSettings(
            r.get(Setting.REDIS_NODES, CofferConfig::redisNodes),
            r.intIn(Setting.REDIS_POOL_SIZE),
            Duration.ofMillis(r.intIn(Setting.REDIS_TIMEOUT_MS)));
    return new CofferConfig(
        http,
        db,
        new GroupCommitSettings(
            r.get(Setting.GROUP_COMMIT, CofferConfig::bool),
            // Under 64: see changeset 013.
            r.intIn(Setting.GROUP_COMMIT_MAX_SIZE),
            r.intIn(Setting.GROUP_COMMIT_MAX_IN_FLIGHT),
            // Moves waiting for a group are bounded as the pool's waiters are.
            db.maxWaitQueue(),
            db.connectTimeout()),
        redis,
        new RateLimitSettings(
            r.get(Setting.RATE_LIMIT_ENABLED, CofferConfig::bool),
            r.get(Setting.RATE_LIMIT_FAIL_CLOSED, CofferConfig::bool),
            RateLimitSettings.policies(env::get),
            r.get(Setting.TRUSTED_PROXIES, CofferConfig::list)),
        new AccountCacheSettings(
            r.get(Setting.CACHE_ACCOUNTS, CofferConfig::bool),
            Duration.ofMillis(r.intIn(Setting.CACHE_TTL_MS))),
        new StreamSettings(
            r.intIn(Setting.STREAM_MAX_ACCOUNTS),
            r.intIn(Setting.STREAM_MAX_CONNECTIONS_PER_USER),
            r.intIn(Setting.STREAM_QUEUE_BYTES),
            Duration.ofMillis(r.intIn(Setting.STREAM_HEARTBEAT_MS)),
            Duration.ofMillis(r.intIn(Setting.STREAM_RECONCILE_MS)),
            Duration.ofMillis(r.intIn(Setting.STREAM_SESSION_CHECK_MS)),
            r.intIn(Setting.STREAM_MESSAGES_PER_SECOND)),
        new JournalSettings(
            Duration.ofMillis(r.intIn(Setting.JOURNAL_AUDIT_MS)),
            Duration.ofMillis(r.intIn(Setting.JOURNAL_AUDIT_WINDOW_MS))),
        new ExportSettings(
            r.intIn(Setting.EXPORT_MAX_OPEN_PER_USER),
            r.longIn(Setting.EXPORT_BYTES_PER_MINUTE),
            Duration.ofMillis(r.intIn(Setting.EXPORT_STALL_TIMEOUT_MS))),
        new WebhookSettings(
            Duration.ofMillis(r.intIn(Setting.WEBHOOK_POLL_MS)),
            Duration.ofMillis(r.intIn(Setting.WEBHOOK_TIMEOUT_MS)),
            Duration.ofMillis(r.intIn(Setting.WEBHOOK_RETRY_BASE_MS)),
            Duration.ofMillis(r.intIn(Setting.WEBHOOK_RETRY_MAX_MS)),
            Duration.ofMillis(r.intIn(Setting.WEBHOOK_RETRY_FOR_MS)),
            Duration.ofDays(r.intIn(Setting.EVENT_RETENTION_DAYS)),
            r.intIn(Setting.WEBHOOK_MAX_PER_USER),
            r.get(Setting.WEBHOOK_ALLOW_PRIVATE, CofferConfig::bool),
            r.intIn(Setting.WEBHOOK_CIRCUIT_FAILURES),
            Duration.ofMillis(r.intIn(Setting.WEBHOOK_CIRCUIT_OPEN_MS))),
        apiKeys(env, r),
        Duration.ofMillis(r.intIn(Setting.HEALTH_TIMEOUT_MS)),
        Duration.ofMillis(r.intIn(Setting.REPLICA_MAX_LAG_MS)),
        // The contract keeps keys at least 24 h.
        Duration.ofHours(r.intIn(Setting.IDEMPOTENCY_RETENTION_HOURS)),
        new SessionSettings(
            Duration.ofHours(r.intIn(Setting.SESSION_TTL_HOURS)),
            r.get(Setting.SESSION_TOKENS, CofferConfig::tokenKind)),
        // bcrypt's log2 work factor: 10 is ~50-100 ms of one core per sign-up or log-in.
        r.intIn(Setting.PASSWORD_HASH_COST),
        r.get(Setting.MIGRATE_ON_START, CofferConfig::bool),
        r.get(Setting.INSTANCE_ID, defaultInstanceId(env), Function.identity()),
        TracingSettings.from(env),
        // How far back a move's effectiveAt may reach (issue 29: 30 days by default).
        Duration.ofDays(r.intIn(Setting.BACKDATE_MAX_DAYS)));
  }

  // The service's key is a secret: an error names the variable, never its value.
  private static ApiKeySettings apiKeys(Map<String, String> env, Reader r) {
    String secret = env.get(Setting.API_KEY_SECRET.variable());
    boolean configured = secret != null && !secret.isBlank();
    if (configured && secret.trim().length() < 32) {
      throw new IllegalArgumentException(
          "invalid COFFER_API_KEY_SECRET: must be at least 32 characters (e.g. openssl rand"
              + " -base64 32)");
    }
    String key = configured ? secret.trim() : ApiKeySettings.DEVELOPMENT_KEY;
    return new ApiKeySettings(
        key.getBytes(StandardCharsets.UTF_8), configured, r.intIn(Setting.API_KEY_MAX_PER_USER));
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

  /** Reads typed values through {@link Setting}, naming the variable in every error. */
  private record Reader(Map<String, String> env) {
    <T> T get(Setting setting, Function<String, T> parse) {
      return get(setting, setting.defaultValue(), parse);
    }

    <T> T get(Setting setting, String fallback, Function<String, T> parse) {
      String name = setting.variable();
      String raw = env.getOrDefault(name, fallback);
      try {
        return parse.apply(raw.trim());
      } catch (RuntimeException e) {
        // Database URIs carry passwords: never echo them, nor a parser message quoting them.
        if (name.startsWith("COFFER_PG_")) {
          throw new IllegalArgumentException(
              "invalid " + name + ": expected postgresql://user:password@host:port/database");
        }
        if (setting == Setting.REDIS_NODES) {
          throw new IllegalArgumentException(
              "invalid " + name + ": expected a comma-separated list of redis://host:port");
        }
        throw new IllegalArgumentException(
            "invalid " + name + "=" + raw + ": " + e.getMessage(), e);
      }
    }

    long longIn(Setting setting) {
      return inRange(setting, get(setting, Long::parseLong));
    }

    int intIn(Setting setting) {
      return intIn(setting, Integer.parseInt(setting.defaultValue()));
    }

    /** {@code fallback}: the default, for a setting whose default is computed. */
    int intIn(Setting setting, int fallback) {
      return (int) inRange(setting, get(setting, Integer.toString(fallback), Integer::parseInt));
    }

    private static long inRange(Setting setting, long value) {
      if (value < setting.min() || value > setting.max()) {
        throw new IllegalArgumentException(
            "invalid "
                + setting.variable()
                + "="
                + value
                + ": must be between "
                + setting.min()
                + " and "
                + setting.max());
      }
      return value;
    }
  }
}
