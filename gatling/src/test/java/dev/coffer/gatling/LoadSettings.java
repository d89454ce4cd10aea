package dev.coffer.gatling;

import java.time.Duration;

/**
 * A run's parameters, read from system properties ({@code -Dname=value} on the Maven command line
 * reaches the simulation): where Coffer is, how many users, which load model and how long.
 *
 * <p>Models: {@code open} (users arrive at {@code rate} per second after a ramp), {@code steps}
 * (open, the arrival rate raised by {@code stepRate} every {@code stepSeconds}: the capacity run)
 * and {@code closed} ({@code concurrency} users at a time, each starting a new visit when its last
 * one ends).
 */
public record LoadSettings(
    String baseUrl,
    int users,
    String model,
    double rate,
    int concurrency,
    Duration ramp,
    Duration duration,
    int steps,
    double stepRate,
    double startRate,
    Duration stepDuration,
    Duration stepRamp,
    int actions,
    Duration think,
    double retryShare,
    double maxErrorPercent,
    int maxP99Ms) {

  public static LoadSettings fromSystemProperties() {
    LoadSettings settings =
        new LoadSettings(
            trimSlash(System.getProperty("baseUrl", "http://localhost:8080")),
            integer("users", 50),
            System.getProperty("model", "open"),
            decimal("rate", 5),
            integer("concurrency", 20),
            Duration.ofSeconds(integer("ramp", 5)),
            Duration.ofSeconds(integer("duration", 30)),
            integer("steps", 5),
            decimal("stepRate", 10),
            decimal("startRate", 10),
            Duration.ofSeconds(integer("stepSeconds", 30)),
            Duration.ofSeconds(integer("stepRamp", 5)),
            integer("actions", 5),
            Duration.ofMillis(integer("thinkMs", 200)),
            decimal("retryShare", 0.2),
            decimal("maxErrorPercent", 1),
            integer("maxP99Ms", 1000));
    if (!settings.model.matches("open|closed|steps")) {
      throw new IllegalArgumentException(
          "-Dmodel must be open, closed or steps, not " + settings.model);
    }
    return settings;
  }

  /** One line for the console, so a report can be matched with the settings that made it. */
  public String describe() {
    return switch (model) {
      case "closed" ->
          "closed model: %d concurrent users after a %ds ramp, for %ds"
              .formatted(concurrency, ramp.toSeconds(), duration.toSeconds());
      case "steps" ->
          "open model, steps: %.0f users/s, +%.0f every %ds (%ds ramps), %d steps"
              .formatted(
                  startRate, stepRate, stepDuration.toSeconds(), stepRamp.toSeconds(), steps);
      default ->
          "open model: %.1f users/s after a %ds ramp, for %ds"
              .formatted(rate, ramp.toSeconds(), duration.toSeconds());
    };
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static int integer(String name, int fallback) {
    String value = System.getProperty(name);
    try {
      return value == null ? fallback : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a whole number, not " + value);
    }
  }

  private static double decimal(String name, double fallback) {
    String value = System.getProperty(name);
    try {
      return value == null ? fallback : Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a number, not " + value);
    }
  }
}
