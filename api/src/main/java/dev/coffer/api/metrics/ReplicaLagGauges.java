package dev.coffer.api.metrics;

import dev.coffer.ledger.db.ReadRouter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** How far the read replica is behind the primary, as the read router last measured it. */
public final class ReplicaLagGauges implements MeterBinder {
  private final ReadRouter reads;

  public ReplicaLagGauges(ReadRouter reads) {
    this.reads = reads;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("coffer.replica.lag.bytes", reads, ReadRouter::lagBytes)
        .description("WAL the replica has yet to replay (-1: unknown)")
        .register(registry);
    Gauge.builder("coffer.replica.lag.seconds", reads, r -> r.lagMillis() / 1000.0)
        .description(
            "age of the replica's last replayed transaction while it is behind (-1: unknown)")
        .register(registry);
  }
}
