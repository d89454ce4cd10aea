package dev.coffer.api.metrics;

import dev.coffer.ledger.transfer.TransferGroups;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Optional;

/**
 * Group commit's work: groups started, the moves they held (the ratio is the mean group size, what
 * the database is spared), and moves waiting for a group. Nothing when group commit is off.
 */
public final class GroupCommitMeters implements MeterBinder {
  private final Optional<TransferGroups> groups;

  public GroupCommitMeters(Optional<TransferGroups> groups) {
    this.groups = groups;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    groups.ifPresent(
        g -> {
          FunctionCounter.builder("coffer.group.commit.groups", g, TransferGroups::groups)
              .description("groups of moves started, each one transaction")
              .register(registry);
          FunctionCounter.builder("coffer.group.commit.moves", g, TransferGroups::moves)
              .description("moves booked or answered in those groups")
              .register(registry);
          FunctionCounter.builder(
                  "coffer.group.commit.move.by.move", g, TransferGroups::bookedMoveByMove)
              .description(
                  "groups booked again move by move, each move in a subtransaction, because one"
                      + " move failed the group booked at once (a balance cap, an overflow)")
              .register(registry);
          Gauge.builder("coffer.group.commit.waiting", g, TransferGroups::waiting)
              .description("moves waiting for the next group")
              .register(registry);
        });
  }
}
