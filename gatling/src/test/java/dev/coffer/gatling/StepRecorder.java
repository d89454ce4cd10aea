package dev.coffer.gatling;

import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Per-step figures of a step-load run ({@code -Dmodel=steps -DstepReport=FILE.csv}): for each level
 * of the arrival rate, the responses that completed within it, their throughput and percentiles,
 * and how many were refused (429 or 5xx). Gatling's own report covers the run as a whole; a
 * capacity curve needs the figures level by level. The ramps between levels are left out.
 *
 * <p>Each response is seen by two checks on the protocol (its response time, its status), which
 * every request of the load phase carries; the setup phase's sign-ups are not recorded.
 */
final class StepRecorder {
  private final LoadSettings settings;
  private final Path output;
  private final List<Level> levels = new ArrayList<>();
  private volatile long loadStart;

  private static final class Level {
    int[] times = new int[1024];
    int count;
    int refused;

    synchronized void add(int millis) {
      if (count == times.length) {
        times = Arrays.copyOf(times, count * 2);
      }
      times[count++] = millis;
    }

    synchronized void refuse() {
      refused++;
    }
  }

  private StepRecorder(LoadSettings settings, Path output) {
    this.settings = settings;
    this.output = output;
    for (int i = 0; i < settings.steps(); i++) {
      levels.add(new Level());
    }
  }

  /** A recorder when the run is a step load with {@code -DstepReport}, else none. */
  static StepRecorder fromSettings(LoadSettings settings) {
    String file = System.getProperty("stepReport");
    return file == null || !settings.model().equals("steps")
        ? null
        : new StepRecorder(settings, Path.of(file));
  }

  HttpProtocolBuilder attachTo(HttpProtocolBuilder protocol) {
    return protocol.check(
        responseTimeInMillis()
            .validate(
                "recorded for the step report",
                (millis, session) -> {
                  if (!session.scenario().contains("sign-up")) {
                    Level level = levelNow();
                    if (level != null) {
                      level.add(millis);
                    }
                  }
                  return millis;
                }),
        status()
            .validate(
                "recorded for the step report",
                (code, session) -> {
                  if ((code == 429 || code >= 500) && !session.scenario().contains("sign-up")) {
                    Level level = levelNow();
                    if (level != null) {
                      level.refuse();
                    }
                  }
                  return code;
                }));
  }

  /** Called when the load phase starts (its first virtual user). */
  void loadStarted() {
    if (loadStart == 0) {
      synchronized (this) {
        if (loadStart == 0) {
          loadStart = System.currentTimeMillis();
        }
      }
    }
  }

  private Level levelNow() {
    if (loadStart == 0) {
      return null;
    }
    long elapsed = System.currentTimeMillis() - loadStart;
    long period = settings.stepDuration().toMillis() + settings.stepRamp().toMillis();
    int index = (int) (elapsed / period);
    boolean inRamp = elapsed % period >= settings.stepDuration().toMillis();
    return index < levels.size() && !inRamp ? levels.get(index) : null;
  }

  /** Writes one CSV line per level. */
  void write() {
    StringBuilder csv =
        new StringBuilder(
            "step,users_per_s,start_epoch_ms,end_epoch_ms,responses,throughput_rps,"
                + "p50_ms,p95_ms,p99_ms,max_ms,refused\n");
    long period = settings.stepDuration().toMillis() + settings.stepRamp().toMillis();
    double seconds = settings.stepDuration().toMillis() / 1000.0;
    for (int i = 0; i < levels.size(); i++) {
      Level level = levels.get(i);
      int[] sorted = Arrays.copyOf(level.times, level.count);
      Arrays.sort(sorted);
      long start = loadStart + i * period;
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%.0f,%d,%d,%d,%.1f,%d,%d,%d,%d,%d%n",
              i + 1,
              settings.startRate() + i * settings.stepRate(),
              start,
              start + settings.stepDuration().toMillis(),
              sorted.length,
              sorted.length / seconds,
              percentile(sorted, 50),
              percentile(sorted, 95),
              percentile(sorted, 99),
              sorted.length == 0 ? 0 : sorted[sorted.length - 1],
              level.refused));
    }
    try {
      Path parent = output.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(output, csv);
      System.out.println("step report: " + output.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Nearest-rank percentile, as Gatling reports them. */
  private static int percentile(int[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
