package dev.coffer.api.metrics;

import dev.coffer.ledger.db.DatabaseSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The most connections each pool may hold. Vert.x reports the connections in use per pool but not
 * the bound, so an alert on "in use over 80 % of the pool" needs this series beside it; it carries
 * the same {@code pool_type} and {@code pool_name} labels as {@code vertx_pool_in_use}.
 */
public final class DatabasePoolSizes implements MeterBinder {
  private final DatabaseSettings settings;

  public DatabasePoolSizes(DatabaseSettings settings) {
    this.settings = settings;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    register(registry, "coffer-primary", settings.primaryPoolSize());
    register(registry, "coffer-replica", settings.replicaHoldingPoolSize());
    register(registry, "coffer-replica-reads", settings.replicaReadsPoolSize());
  }

  private static void register(MeterRegistry registry, String pool, int size) {
    Gauge.builder("coffer.db.pool.max.connections", () -> size)
        .description("connections the pool may hold at most")
        .tag("pool_type", "sql")
        .tag("pool_name", pool)
        .register(registry);
  }
}
