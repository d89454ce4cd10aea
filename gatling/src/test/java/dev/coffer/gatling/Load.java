package dev.coffer.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.incrementUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.List;

/** How a scenario's users arrive, and what makes a run fail, from {@link LoadSettings}. */
final class Load {
  private Load() {}

  /** The setup phase: {@code settings.users()} sign-ups spread over a few seconds. */
  static PopulationBuilder setup(ScenarioBuilder scenario, LoadSettings settings) {
    // 50 sign-ups a second keeps the setup from being a load test of bcrypt.
    Duration spread = Duration.ofMillis(Math.max(1000, settings.users() * 20L));
    return scenario.injectOpen(rampUsers(settings.users()).during(spread));
  }

  /** The load phase, in the model the settings name. */
  static PopulationBuilder load(ScenarioBuilder scenario, LoadSettings settings) {
    return switch (settings.model()) {
      case "closed" ->
          scenario.injectClosed(
              rampConcurrentUsers(0).to(settings.concurrency()).during(settings.ramp()),
              constantConcurrentUsers(settings.concurrency()).during(settings.duration()));
      case "steps" ->
          scenario.injectOpen(
              incrementUsersPerSec(settings.stepRate())
                  .times(settings.steps())
                  .eachLevelLasting(settings.stepDuration())
                  .separatedByRampsLasting(settings.stepRamp())
                  .startingFrom(settings.startRate()));
      default ->
          scenario.injectOpen(
              rampUsersPerSec(0).to(settings.rate()).during(settings.ramp()),
              constantUsersPerSec(settings.rate()).during(settings.duration()));
    };
  }

  /** A run fails when more requests fail than allowed, or when p99 is above the bound. */
  static List<Assertion> assertions(LoadSettings settings) {
    return List.of(
        global().failedRequests().percent().lte(settings.maxErrorPercent()),
        global().responseTime().percentile(99.0).lte(settings.maxP99Ms()));
  }
}
