package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's PrometheusRule, rendered with the production-like values, run by Prometheus' own
 * promtool against the unit tests in {@code src/test/resources/promtool/coffer-rules-test.yaml}:
 * every alert fires on a series past its threshold and stays quiet on one short of it, and the
 * recorded error budgets come out as computed by hand. promtool comes with Debian's {@code
 * prometheus} package, installed by {@code dev/prometheus install} (apt, as root) when missing.
 * Where it is missing and that install cannot be done (not root, no apt, no package source), the
 * tests are skipped with the installer's reason, not failed: a developer's machine without apt must
 * still build. With {@code COFFER_REQUIRE_PROMTOOL=true} (set it in CI) that fails the build
 * instead, so that no release passes with its alerts untested. Wherever promtool runs, a broken
 * threshold fails the build.
 */
class PromtoolRulesTest {
  private static final Path TESTS =
      CofferChart.repoRoot()
          .resolve("helm/src/test/resources/promtool/coffer-rules-test.yaml")
          .toAbsolutePath();

  // Why promtool cannot be had here (each test is then skipped with it), or null.
  private static String unavailable;

  private static void needsPromtool() {
    Assumptions.assumeTrue(unavailable == null, () -> unavailable);
  }

  @BeforeAll
  static void installPromtool() throws Exception {
    if (promtool() != null) {
      return;
    }
    Process install =
        new ProcessBuilder(CofferChart.repoRoot().resolve("dev/prometheus").toString(), "install")
            .redirectErrorStream(true)
            .start();
    String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(install.waitFor(10, TimeUnit.MINUTES)).isTrue();
    if (install.exitValue() != 0 && !"true".equals(System.getenv("COFFER_REQUIRE_PROMTOOL"))) {
      // The installer said why it could not (not root, no apt-get, apt failed): skip, saying so.
      unavailable =
          "promtool is missing and dev/prometheus install could not install it (exit "
              + install.exitValue()
              + "): "
              + output.strip()
              + "; the rule tests did not run (COFFER_REQUIRE_PROMTOOL=true makes this fail)";
      System.err.println("PromtoolRulesTest skipped: " + unavailable);
      return;
    }
    // An install that says it worked but left no promtool is a fault of its own: fail.
    assertThat(promtool()).as("promtool after dev/prometheus install:%n%s", output).isNotNull();
  }

  @Test
  void everyAlertFiresPastItsThresholdAndStaysQuietShortOfIt() throws Exception {
    needsPromtool();
    Run run = promtoolTest(null, name -> true);
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  @Test
  void aMovedThresholdFailsTheRuleTests() throws Exception {
    needsPromtool();
    // Raised from 1 % to 5 %: the case at 2 % no longer fires.
    // Only the error ratio's cases: the others would pass and cost seconds.
    Run run =
        promtoolTest(
            "metrics:\n  prometheusRule:\n    errorRatio: 0.05\n",
            name -> name.startsWith("error ratio"));
    assertThat(run.exitCode()).as(run.output()).isNotZero();
    assertThat(run.output()).contains("CofferHighErrorRatio");
  }

  @Test
  void everyAlertHasAFiringAndAQuietCaseAndEveryRecordIsTested() throws IOException {
    Set<String> alerts = new TreeSet<>();
    Set<String> records = new TreeSet<>();
    for (Object group : groups(null)) {
      for (Object rule : CustomResources.list(CustomResources.map(group).get("rules"))) {
        Map<String, Object> r = CustomResources.map(rule);
        if (r.containsKey("alert")) {
          alerts.add((String) r.get("alert"));
        } else {
          records.add((String) r.get("record"));
        }
      }
    }
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    StringBuilder exprs = new StringBuilder();
    Map<String, Object> tests = new Yaml().load(Files.readString(TESTS));
    for (Object t : CustomResources.list(tests.get("tests"))) {
      Map<String, Object> test = CustomResources.map(t);
      for (Object a : listOrEmpty(test.get("alert_rule_test"))) {
        Map<String, Object> alertTest = CustomResources.map(a);
        String name = (String) alertTest.get("alertname");
        (listOrEmpty(alertTest.get("exp_alerts")).isEmpty() ? quiet : firing).add(name);
      }
      for (Object e : listOrEmpty(test.get("promql_expr_test"))) {
        exprs.append(CustomResources.map(e).get("expr")).append('\n');
      }
    }
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(18);
    assertThat(firing).as("alerts with a case that fires").containsAll(alerts);
    assertThat(quiet).as("alerts with a case that stays quiet").containsAll(alerts);
    // The error ratios are exercised by the burn-rate alerts; the budget and objective directly.
    assertThat(exprs.toString())
        .contains("coffer:slo_error_budget_remaining:ratio30d", "coffer:slo_objective:ratio");
    assertThat(records)
        .contains(
            "coffer:slo_error_ratio:rate5m",
            "coffer:slo_error_ratio:rate30m",
            "coffer:slo_error_ratio:rate1h",
            "coffer:slo_error_ratio:rate6h",
            "coffer:slo_error_ratio:rate30d");
  }

  private record Run(int exitCode, String output) {}

  // Writes the rendered rule groups as a Prometheus rule file beside a copy of the tests, and runs
  // promtool there; the folder is kept under target/ to rerun promtool by hand.
  private static Run promtoolTest(String overValues, Predicate<String> testNames) throws Exception {
    Path dir =
        Files.createDirectories(
            Path.of("target", "promtool", overValues == null ? "chart" : "moved-threshold"));
    Files.writeString(
        dir.resolve("rules.yaml"), new Yaml().dump(Map.of("groups", groups(overValues))));
    Map<String, Object> tests = new Yaml().load(Files.readString(TESTS));
    tests.put(
        "tests",
        CustomResources.list(tests.get("tests")).stream()
            .filter(t -> testNames.test((String) CustomResources.map(t).get("name")))
            .toList());
    Files.writeString(dir.resolve("tests.yaml"), new Yaml().dump(tests));
    Process process =
        new ProcessBuilder(promtool().toString(), "test", "rules", "tests.yaml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), output);
  }

  // The production-like values, and over them overValues (YAML) when given.
  private static List<Object> groups(String overValues) throws IOException {
    List<Path> values = new ArrayList<>(List.of(CofferChart.productionValues()));
    if (overValues != null) {
      Path over = Files.createTempFile("coffer-values-", ".yaml");
      Files.writeString(over, overValues);
      values.add(over);
    }
    Map<String, Object> rule =
        CofferChart.render(Map.of(), values.toArray(Path[]::new)).custom("PrometheusRule");
    return new ArrayList<>(
        CustomResources.list(CustomResources.map(rule.get("spec")).get("groups")));
  }

  private static List<Object> listOrEmpty(Object value) {
    return value == null ? List.of() : CustomResources.list(value);
  }

  private static Path promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
