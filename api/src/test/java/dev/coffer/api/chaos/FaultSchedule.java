package dev.coffer.api.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The faults in turn, a pause between two, while the clients run: at least one full round, and
 * round after round until the load time is over. A fault that fails to apply or restore is a failed
 * run (recorded, then thrown), since the ledger was not put through what was promised.
 */
final class FaultSchedule {
  private final List<Fault> faults;
  private final Duration pause;
  private final List<Applied> applied = new ArrayList<>();

  record Applied(String name, long atMillis, long tookMillis) {}

  FaultSchedule(List<Fault> faults, Duration pause) {
    this.faults = List.copyOf(faults);
    this.pause = pause;
  }

  /** Runs until {@code loadTime} has passed since the call and every fault ran once. */
  void run(Duration loadTime) throws Exception {
    long started = System.nanoTime();
    long end = started + loadTime.toNanos();
    for (int i = 0; i < faults.size() || System.nanoTime() + pause.toNanos() < end; i++) {
      Thread.sleep(pause.toMillis());
      Fault fault = faults.get(i % faults.size());
      long at = System.nanoTime();
      System.out.printf("chaos: %6.1f s  %s%n", (at - started) / 1e9, fault.name());
      fault.apply();
      applied.add(
          new Applied(
              fault.name(), (at - started) / 1_000_000, (System.nanoTime() - at) / 1_000_000));
    }
    long remaining = end - System.nanoTime();
    if (remaining > 0) {
      Thread.sleep(remaining / 1_000_000);
    }
  }

  List<Applied> applied() {
    return List.copyOf(applied);
  }

  /** How many times each fault ran. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new TreeMap<>();
    applied.forEach(a -> counts.merge(a.name(), 1, Integer::sum));
    return counts;
  }
}
