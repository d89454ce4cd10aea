package dev.coffer.api.health;

import dev.coffer.ledger.db.DatabasePools;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Readiness checks of the primary database, the replica pool and Redis, each with a timeout. The
 * primary alone being down does not make an instance unready: during a failover every instance
 * alike answers writes 503 with Retry-After and serves reads from the replica, and taking them all
 * out of the load balancer would turn those answers into refused connections.
 */
public final class DependencyChecks {
  private static final Logger LOG = Logger.getLogger(DependencyChecks.class.getName());
  private static final String PRIMARY = "primary";
  private static final String REPLICA = "replica";
  private final HealthChecks checks;

  private DependencyChecks(HealthChecks checks) {
    this.checks = checks;
  }

  /** Registers one check per dependency. */
  public static DependencyChecks create(
      Vertx vertx, DatabasePools databases, Redis redis, Duration timeout) {
    HealthChecks checks = HealthChecks.create(vertx);
    long ms = timeout.toMillis();
    checks.register(PRIMARY, ms, timed(PRIMARY, () -> query(databases.primary())));
    checks.register(REPLICA, ms, timed(REPLICA, () -> query(databases.replica())));
    checks.register(
        "redis", ms, timed("redis", () -> redis.send(Request.cmd(Command.PING)).mapEmpty()));
    return new DependencyChecks(checks);
  }

  private static Future<Void> query(Pool pool) {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private static io.vertx.core.Handler<Promise<Status>> timed(
      String name, Supplier<Future<Void>> probe) {
    return promise -> {
      long started = System.nanoTime();
      Future<Void> outcome;
      try {
        outcome = probe.get();
      } catch (RuntimeException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(
          ar -> {
            JsonObject data =
                new JsonObject().put("latencyMs", (System.nanoTime() - started) / 1_000_000);
            if (ar.succeeded()) {
              promise.tryComplete(Status.OK(data));
            } else {
              // The answer is public: the cause (hosts, ports, users) stays in the log.
              LOG.warning("readiness check " + name + " failed: " + describe(ar.cause()));
              promise.tryComplete(Status.KO(data.put("error", "unavailable")));
            }
          });
    };
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }

  /** Runs every check and renders {@code {"status", "checks": {name: {status, ...}}}}. */
  public Future<Readiness> run() {
    return checks.checkStatus().map(DependencyChecks::render);
  }

  private static Readiness render(CheckResult result) {
    JsonObject byName = new JsonObject();
    boolean allUp = true;
    for (CheckResult check : result.getChecks()) {
      boolean up = Boolean.TRUE.equals(check.getUp());
      allUp &= up || PRIMARY.equals(check.getId());
      JsonObject entry = new JsonObject().put("status", up ? "UP" : "DOWN");
      JsonObject data = check.getData();
      if (data != null) {
        entry.mergeIn(data);
      }
      if (!up && check.getStatus() != null && check.getStatus().isProcedureInError()) {
        entry.put("error", "check did not answer in time");
      }
      byName.put(check.getId(), entry);
    }
    return new Readiness(allUp, byName);
  }

  /** What the readiness probe saw. */
  public record Readiness(boolean up, JsonObject checks) {
    /** The response body. */
    public JsonObject toJson() {
      return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
    }
  }
}
