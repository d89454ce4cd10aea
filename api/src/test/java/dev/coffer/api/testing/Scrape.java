package dev.coffer.api.testing;

import java.time.Duration;
import java.util.function.DoublePredicate;

/** Reads series from an instance's {@code /metrics}, and waits for one to reach a value. */
public final class Scrape {
  private Scrape() {}

  /**
   * The sum of every series named {@code name} whose labels contain {@code labels} (e.g. {@code
   * outcome="delivered"}; empty: any), or 0 when none is there.
   */
  public static double value(String text, String name, String labels) {
    double sum = 0;
    for (String line : text.split("\n")) {
      boolean named = line.startsWith(name + " ") || line.startsWith(name + "{");
      if (named && (labels.isEmpty() || line.contains(labels))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The series' value on {@code api}. */
  public static double value(ApiClient api, String name, String labels) {
    return value(api.get("/metrics", null).text(), name, labels);
  }

  /**
   * Scrapes until the series satisfies {@code condition}; fails after {@code bound} (a bound on a
   * wait for something that must happen, not a measure of how fast it happens).
   */
  public static double awaitValue(
      ApiClient api, String name, String labels, DoublePredicate condition, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      double v = value(api, name, labels);
      if (condition.test(v)) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + "{" + labels + "} stayed at " + v + " for " + bound);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
