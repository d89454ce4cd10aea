package dev.coffer.api.config;

import dev.coffer.ledger.db.DatabaseSettings;

/**
 * Every environment variable Coffer reads: its name, default, allowed range and meaning, written
 * once. {@link CofferConfig} reads the variables only through these constants (their defaults and
 * ranges included), and {@code docs/configuration.md} is generated from them (by {@code
 * ConfigurationReferenceTest}, which fails when the committed file differs), so the reference
 * cannot drift from the code. A new setting is a constant here, read in {@link CofferConfig}; then
 * regenerate the page.
 *
 * <p>Meanings are Markdown, with links relative to {@code docs/}.
 */
public enum Setting {
  // ---- HTTP server
  HTTP_HOST(Group.HTTP, "0.0.0.0", "address to listen on"),
  HTTP_PORT(Group.HTTP, "8080", 1, 65535, "port to listen on"),
  EVENT_LOOPS(
      Group.HTTP,
      null,
      "number of CPUs",
      1,
      256,
      "event loops, and HTTP verticle instances (one per loop)"),
  NATIVE_TRANSPORT(
      Group.HTTP,
      "true",
      "every socket (HTTP, PostgreSQL, Redis) on Linux's epoll rather than Java NIO; where epoll"
          + " cannot load, a warning and NIO"),
  MAX_IN_FLIGHT(
      Group.HTTP,
      "1024",
      1,
      1_000_000,
      "requests served at once by this instance; past it new ones get 503 `overloaded` at once"
          + " (health and metrics excepted)"),
  HTTP_MAX_CONNECTIONS(
      Group.HTTP,
      "10000",
      1,
      1_000_000,
      "client connections open at once on this instance; past it a new connection is closed"
          + " before it is read"),
  HTTP_IDLE_TIMEOUT_MS(
      Group.HTTP,
      "75000",
      1000,
      3_600_000,
      "a connection with no bytes in either direction this long is closed (longer than the usual"
          + " load balancer's 60 s keep-alive, so that the balancer closes first)"),
  HTTP_HEADER_TIMEOUT_MS(
      Group.HTTP,
      "10000",
      100,
      600_000,
      "a request's line and headers must all arrive within this long of its first byte: else 408"
          + " `request-timeout` and the connection is closed"),
  HTTP_BODY_TIMEOUT_MS(
      Group.HTTP,
      "30000",
      100,
      600_000,
      "a request's body must all arrive within this long of its head: else 408 `request-timeout`"
          + " and the connection is closed"),
  HTTP_H2C(
      Group.HTTP,
      "false",
      "serve cleartext HTTP/2 (h2c: prior knowledge or `Upgrade: h2c`) on the port; off, the port"
          + " speaks HTTP/1.1 only. The connection guards above apply to HTTP/1.x"),
  SHUTDOWN_DELAY_MS(
      Group.HTTP,
      "5000",
      0,
      600_000,
      "after SIGTERM: readiness is 503 at once, new connections are still accepted this long (so"
          + " load balancers notice), then refused; `dev/run` sets 0"),
  DRAIN_TIMEOUT_MS(
      Group.HTTP,
      "20000",
      0,
      600_000,
      "after that delay: how long requests in flight may take to finish before connections are"
          + " closed"),

  // ---- PostgreSQL
  PG_PRIMARY(
      Group.DATABASE,
      CofferConfig.DEFAULT_PG_PRIMARY,
      "primary database (writes). Also libpq's multi-host form,"
          + " `postgresql://u:p@h1:5432,h2:5432,h3:5432/coffer?target_session_attrs=read-write`:"
          + " each new connection asks the hosts in turn (the last good one first) and takes the"
          + " one that is writable, so Coffer follows a failover without a restart; while none is,"
          + " writes are 503 with `Retry-After` and safe to retry with the same `Idempotency-Key`."
          + " Never echoed in an error (it carries a password)"),
  PG_REPLICA(
      Group.DATABASE,
      CofferConfig.DEFAULT_PG_REPLICA,
      "replica database (reads). Multi-host too, with `target_session_attrs` `standby`,"
          + " `prefer-standby` (a standby, else whatever answers), `read-only`, `primary` or `any`;"
          + " both replica pools read from the same located standby"),
  PG_PRIMARY_POOL_SIZE(Group.DATABASE, "16", 1, 1000, "primary pool connections"),
  PG_REPLICA_POOL_SIZE(
      Group.DATABASE,
      "16",
      1,
      1000,
      "replica connections: half for the pipelining client of single-statement reads, half for"
          + " reads that hold a connection (exports, the journal check)"),
  PG_REPLICA_PIPELINING(
      Group.DATABASE,
      Integer.toString(DatabaseSettings.DEFAULT_REPLICA_PIPELINING),
      1,
      256,
      "reads in flight at once on one connection of the replica's pipelining client (1: one at a"
          + " time)"),
  PG_MAX_WAIT_QUEUE(
      Group.DATABASE,
      "256",
      0,
      100_000,
      "requests that may wait for a pool connection (and moves that may wait for a group) before"
          + " being refused"),
  PG_CONNECT_TIMEOUT_MS(
      Group.DATABASE,
      "2000",
      100,
      60_000,
      "how long to wait for a pool connection (or for a group), for a socket to connect, and for"
          + " each host's answer when a multi-host URI is searched"),
  PG_TCP_USER_TIMEOUT_MS(
      Group.DATABASE,
      Long.toString(DatabaseSettings.DEFAULT_TCP_USER_TIMEOUT.toMillis()),
      0,
      600_000,
      "a database connection whose sent data stays unacknowledged this long is given up (Linux"
          + " `TCP_USER_TIMEOUT`, epoll transport): a primary cut off by a network partition"
          + " answers nothing, and without it a write would wait for the kernel's retransmissions"
          + " (~15 min); 0 turns it off"),
  REPLICA_MAX_LAG_MS(
      Group.DATABASE,
      "5000",
      0,
      3_600_000,
      "a replica further behind than this serves no reads until it catches up"),
  MIGRATE_ON_START(
      Group.DATABASE,
      "true",
      "apply Liquibase changelogs at start (under Liquibase's lock, safe with many instances);"
          + " `java -jar coffer-api.jar migrate` applies them and exits"),

  // ---- Group commit
  GROUP_COMMIT(
      Group.GROUP_COMMIT,
      "true",
      "book idempotent deposits, withdrawals and transfers that queue behind each other in shared"
          + " transactions, each with its own outcome ([architecture.md](architecture.md#the-write-path-group-commit))"),
  GROUP_COMMIT_MAX_SIZE(
      Group.GROUP_COMMIT, "32", 1, 63, "most moves in one group (under 64: see changeset 013)"),
  GROUP_COMMIT_MAX_IN_FLIGHT(
      Group.GROUP_COMMIT,
      "4",
      1,
      1000,
      "groups an instance runs at once; moves arriving while all run wait for the next group"),

  // ---- Redis
  REDIS_NODES(
      Group.REDIS,
      CofferConfig.DEFAULT_REDIS_NODES,
      "comma-separated `redis://host:port` seeds of the Redis Cluster (the local stack's first"
          + " three nodes by default); a node may carry a password, `redis://:PASSWORD@host:port`,"
          + " never echoed in an error"),
  REDIS_POOL_SIZE(Group.REDIS, "32", 1, 1000, "Redis connections per node"),
  REDIS_TIMEOUT_MS(
      Group.REDIS,
      "250",
      10,
      30_000,
      "time limit of each Redis call on a request's path; when at least 5 calls, and at least half"
          + " of all calls, of the last 10 s failed, a circuit breaker fails Redis calls at once and"
          + " probes every second (a few slow calls among many good ones open nothing)"),
  CACHE_ACCOUNTS(
      Group.REDIS,
      "false",
      "cache single-account reads in Redis (measured in"
          + " [ratelimit-and-cache.md](ratelimit-and-cache.md))"),
  CACHE_TTL_MS(
      Group.REDIS,
      "30000",
      100,
      3_600_000,
      "how long a cached account may live (writes invalidate it sooner)"),

  // ---- Rate limits (each policy's default is RateLimitSettings.DEFAULTS': a test checks them)
  RATE_LIMIT_ENABLED(Group.RATE_LIMITS, "true", "sliding-window rate limits"),
  RATE_LIMIT_FAIL_CLOSED(
      Group.RATE_LIMITS,
      "false",
      "when Redis cannot answer, refuse limited requests with 503 instead of letting them through"),
  RATE_LIMIT_ANONYMOUS(
      Group.RATE_LIMITS,
      "300/60",
      "`LIMIT/SECONDS` per client IP: requests without a session (sign-up, log-in,"
          + " `/openapi.yaml`, and authenticated routes called without `Authorization`)"),
  RATE_LIMIT_LOGIN_IP(Group.RATE_LIMITS, "30/600", "log-in attempts per client IP"),
  RATE_LIMIT_LOGIN_EMAIL(
      Group.RATE_LIMITS,
      "10/600",
      "failed log-ins per e-mail address and client address; past it that e-mail is refused (429)"
          + " from that address only"),
  RATE_LIMIT_LOGIN_EMAIL_ALL(
      Group.RATE_LIMITS,
      "100/3600",
      "failed log-ins per e-mail address from every client address; past it that e-mail is"
          + " refused from every address except those that logged in to it before (known for"
          + " `COFFER_SESSION_TTL_HOURS`)"),
  RATE_LIMIT_ACCOUNT_CREATION(Group.RATE_LIMITS, "30/3600", "accounts opened per user"),
  RATE_LIMIT_MONEY(
      Group.RATE_LIMITS,
      "600/60",
      "money movements (deposits, withdrawals, transfers, post, void, reversals, batches) per"
          + " user"),
  RATE_LIMIT_READS(Group.RATE_LIMITS, "1200/60", "reads (and log-out) per user"),
  RATE_LIMIT_API_KEY(
      Group.RATE_LIMITS,
      "1200/60",
      "requests per API key (each also counts against its user's limits)"),
  TRUSTED_PROXIES(
      Group.RATE_LIMITS,
      "",
      "(none)",
      "comma-separated CIDRs (e.g. `10.0.0.0/8,::1/128`) whose `X-Forwarded-For` is believed for"
          + " the client IP; anyone else's is ignored (see"
          + " [deployment.md](deployment.md#coffer_trusted_proxies-behind-the-gateway))"),

  // ---- Sessions, passwords and API keys
  SESSION_TTL_HOURS(
      Group.AUTH,
      "168",
      1,
      24 * 365,
      "sessions expire after this long unused (sliding: every request renews it)"),
  SESSION_TOKENS(
      Group.AUTH,
      "tagged",
      "`tagged`: new tokens name their user, so one Redis call renews the session and counts the"
          + " user's limits; `plain`: the older untagged tokens, only while upgrading from a"
          + " release before tagged tokens. Both kinds are always accepted"),
  PASSWORD_HASH_COST(
      Group.AUTH,
      "10",
      4,
      16,
      "bcrypt work factor; each step doubles the CPU a sign-up or log-in costs (10 is ~50-100 ms"
          + " of one core)"),
  API_KEY_SECRET(
      Group.AUTH,
      null,
      "(a development secret, with a warning)",
      "the service's key that tags API keys and hashes their secrets: at least 32 characters"
          + " (`openssl rand -base64 32`), the same on every instance; changing it invalidates every"
          + " API key. Never echoed in an error"),
  API_KEY_MAX_PER_USER(
      Group.AUTH, "20", 1, 1000, "live (unrevoked, unexpired) API keys one user may hold"),

  // ---- Ledger rules
  IDEMPOTENCY_RETENTION_HOURS(
      Group.LEDGER,
      "48",
      24,
      24 * 90,
      "how long idempotency keys are kept (the contract promises 24 hours at least)"),
  BACKDATE_MAX_DAYS(
      Group.LEDGER,
      "30",
      0,
      3650,
      "how far back a move's `effectiveAt` may reach (0 refuses back-dating)"),
  JOURNAL_AUDIT_MS(
      Group.LEDGER,
      "60000",
      100,
      86_400_000,
      "how often each instance re-checks the hash chain of recently written entries (on the"
          + " replica)"),
  JOURNAL_AUDIT_WINDOW_MS(
      Group.LEDGER,
      "180000",
      1000,
      86_400_000,
      "how far back each audit run looks (longer than the period, so no entry is missed)"),

  // ---- Stream
  STREAM_MAX_ACCOUNTS(
      Group.STREAM,
      "100",
      1,
      10_000,
      "accounts one `/v1/stream` connection may watch, and names one subscribe message may carry"
          + " (past it: an `error` message `stream-limit`; a message naming more is refused whole,"
          + " before any query)"),
  STREAM_MAX_CONNECTIONS_PER_USER(
      Group.STREAM,
      "20",
      1,
      10_000,
      "stream connections one user may hold on one instance (past it: an `error` message, then"
          + " close 1008)"),
  STREAM_QUEUE_BYTES(
      Group.STREAM,
      "262144",
      4096,
      64 * 1024 * 1024,
      "bytes a stream connection may have waiting to be sent; past it the client is closed with"
          + " 1008 (slow consumer)"),
  STREAM_HEARTBEAT_MS(Group.STREAM, "15000", 100, 600_000, "heartbeat period on every stream"),
  STREAM_RECONCILE_MS(
      Group.STREAM,
      "2000",
      100,
      600_000,
      "how often watched accounts are compared with the ledger, so an entry whose bus"
          + " announcement was lost still arrives"),
  STREAM_SESSION_CHECK_MS(
      Group.STREAM,
      "30000",
      100,
      3_600_000,
      "how often a stream checks that its session still exists: an expired session's streams"
          + " close (1008) within this. A log-out closes them at once, on every instance (it is"
          + " announced on the bus); this check also catches an announcement lost in a Redis"
          + " failover"),
  STREAM_MESSAGES_PER_SECOND(
      Group.STREAM,
      "10",
      1,
      10_000,
      "messages one `/v1/stream` connection may send a second (a bucket of that many, refilled at"
          + " that rate); past it they are dropped unread and the first is answered with an"
          + " `error` message `rate-limited`"),

  // ---- Exports
  EXPORT_MAX_OPEN_PER_USER(
      Group.EXPORTS,
      "2",
      1,
      1000,
      "exports (`entries.csv`, `entries.ndjson`) one user may have open at once on this instance;"
          + " past it 429 `rate-limited`"),
  EXPORT_BYTES_PER_MINUTE(
      Group.EXPORTS,
      Long.toString(64L << 20),
      1024,
      1L << 40,
      "bytes of exports one user may be sent per minute on this instance; past it a running"
          + " export waits for the minute to end and a new one is 429 `rate-limited` with"
          + " `Retry-After`"),
  EXPORT_STALL_TIMEOUT_MS(
      Group.EXPORTS,
      "10000",
      100,
      600_000,
      "an export whose client takes nothing (its socket does not drain) this long is cut (the"
          + " connection reset) and its replica connection returned"),

  // ---- Webhooks and events
  WEBHOOK_POLL_MS(
      Group.WEBHOOKS,
      "1000",
      10,
      600_000,
      "how often each instance claims due webhook deliveries (at once again while batches come"
          + " back full)"),
  WEBHOOK_TIMEOUT_MS(
      Group.WEBHOOKS,
      "10000",
      100,
      120_000,
      "a delivery attempt's deadline, for all of it (look-up, connection, request, the answer's"
          + " head and body: of the body at most 4 KB are read); without a status by then the"
          + " attempt counts as failed"),
  WEBHOOK_RETRY_BASE_MS(
      Group.WEBHOOKS,
      "10000",
      10,
      3_600_000,
      "first retry delay; doubles each attempt, with jitter (half to all of it)"),
  WEBHOOK_RETRY_MAX_MS(
      Group.WEBHOOKS, "3600000", 10, 86_400_000, "longest delay between two attempts"),
  WEBHOOK_RETRY_FOR_MS(
      Group.WEBHOOKS,
      "86400000",
      1000,
      604_800_000,
      "how long after its event a delivery is retried before it is marked failed"),
  EVENT_RETENTION_DAYS(
      Group.WEBHOOKS,
      "30",
      2,
      3650,
      "events (and their delivery records) older than this are deleted"),
  WEBHOOK_MAX_PER_USER(Group.WEBHOOKS, "20", 1, 1000, "webhook endpoints one user may register"),
  WEBHOOK_ALLOW_PRIVATE(
      Group.WEBHOOKS,
      "false",
      "allow webhook URLs on loopback, private and other internal addresses. Keep it off in"
          + " production (it is what stops users from making Coffer call into its own network);"
          + " the tests turn it on for their local receivers"),
  WEBHOOK_CIRCUIT_FAILURES(
      Group.WEBHOOKS,
      "5",
      1,
      1000,
      "failed attempts in a row after which an endpoint's circuit opens (one attempt per endpoint"
          + " runs at a time, over all instances)"),
  WEBHOOK_CIRCUIT_OPEN_MS(
      Group.WEBHOOKS,
      "60000",
      10,
      86_400_000,
      "how long an open circuit sends nothing to its endpoint; then one attempt probes it"),

  // ---- Operations
  HEALTH_TIMEOUT_MS(Group.OPERATIONS, "1000", 50, 30_000, "each readiness check's time limit"),
  INSTANCE_ID(
      Group.OPERATIONS, null, "`$HOSTNAME`, else `coffer-<pid>`", "names this instance in logs"),
  OTEL_EXPORTER_OTLP_ENDPOINT(
      Group.TRACING,
      null,
      "unset (tracing off)",
      "turns tracing on and sends spans there over OTLP (`http://collector:4318`); see"
          + " [operations.md](operations.md#tracing)"),
  OTEL_TRACES_EXPORTER(
      Group.TRACING,
      null,
      "unset",
      "`otlp` (or another SDK exporter) turns tracing on without an endpoint (the SDK's default"
          + " one); `none` keeps it off"),
  OTEL_SDK_DISABLED(Group.TRACING, "false", "`true` turns tracing off whatever else is set"),
  OTEL_TRACES_SAMPLER_ARG(
      Group.TRACING,
      "1.0",
      "share of the traces starting at Coffer that are kept (sampler `parentbased_traceidratio`);"
          + " any other `OTEL_*` variable of the OpenTelemetry SDK applies too");

  /** The sections of the reference, in order. */
  public enum Group {
    HTTP("HTTP server"),
    DATABASE("PostgreSQL"),
    GROUP_COMMIT("Group commit"),
    REDIS("Redis and the account cache"),
    RATE_LIMITS("Rate limits and client addresses"),
    AUTH("Sessions, passwords and API keys"),
    LEDGER("Ledger rules and the journal audit"),
    STREAM("The WebSocket stream"),
    EXPORTS("Exports"),
    WEBHOOKS("Webhooks and events"),
    OPERATIONS("Operations"),
    TRACING("Tracing (OpenTelemetry's own variables)");

    private final String title;

    Group(String title) {
      this.title = title;
    }

    public String title() {
      return title;
    }
  }

  private final Group group;
  private final String defaultValue;
  private final String defaultText;
  private final long min;
  private final long max;
  private final String meaning;

  Setting(Group group, String defaultValue, String meaning) {
    this(group, defaultValue, null, Long.MIN_VALUE, Long.MAX_VALUE, meaning);
  }

  Setting(Group group, String defaultValue, String defaultText, String meaning) {
    this(group, defaultValue, defaultText, Long.MIN_VALUE, Long.MAX_VALUE, meaning);
  }

  Setting(Group group, String defaultValue, long min, long max, String meaning) {
    this(group, defaultValue, null, min, max, meaning);
  }

  Setting(
      Group group, String defaultValue, String defaultText, long min, long max, String meaning) {
    this.group = group;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.min = min;
    this.max = max;
    this.meaning = meaning;
  }

  /** The environment variable: {@code COFFER_<NAME>}, or OpenTelemetry's own name. */
  public String variable() {
    return name().startsWith("OTEL_") ? name() : "COFFER_" + name();
  }

  public Group group() {
    return group;
  }

  /**
   * The value used when the variable is unset, as the variable would spell it; null if computed.
   */
  public String defaultValue() {
    return defaultValue;
  }

  /** The default as the reference shows it (Markdown). */
  public String documentedDefault() {
    if (defaultText != null) {
      return defaultText;
    }
    return "`" + defaultValue + "`";
  }

  /** Whether the value is a number within {@link #min()} and {@link #max()}. */
  public boolean numeric() {
    return min != Long.MIN_VALUE;
  }

  public long min() {
    return min;
  }

  public long max() {
    return max;
  }

  /** What it does (Markdown, links relative to {@code docs/}). */
  public String meaning() {
    return meaning;
  }

  /** Read by {@link CofferConfig} by name; OpenTelemetry's variables go to its SDK as they are. */
  public boolean readByName() {
    return !name().startsWith("OTEL_");
  }
}
