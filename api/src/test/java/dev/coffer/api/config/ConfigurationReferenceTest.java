package dev.coffer.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} is generated from {@link Setting}, and the code reads exactly the
 * settings it lists; the README and the other docs name no {@code COFFER_*} variable that nothing
 * reads. Regenerate the page with:
 *
 * <pre>
 * ./mvnw -B -o -pl api -am test -Dtest=ConfigurationReferenceTest \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dcoffer.docs.write=true
 * </pre>
 */
class ConfigurationReferenceTest {
  static final String REGENERATE =
      "./mvnw -B -o -pl api -am test -Dtest=ConfigurationReferenceTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dcoffer.docs.write=true";

  private static final Path ROOT = TestStack.repoRoot();
  private static final Path PAGE = ROOT.resolve("docs/configuration.md");
  // Where the variables that are not Coffer's own are read: scripts, fixtures, tests, the chart.
  private static final List<String> SCRIPT_DIRS =
      List.of(
          "dev",
          "gatling",
          ".ci",
          "helm/coffer",
          "testkit/src",
          "ledger/src/test",
          "api/src/test",
          "helm/src/test",
          "clients/java/src/test");

  @Test
  void theCommittedReferenceIsTheGeneratedOne() throws IOException {
    String generated = render();
    if (Boolean.getBoolean("coffer.docs.write")) {
      Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
    }
    String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
    assertThat(committed)
        .as(
            "docs/configuration.md differs from what Setting.java generates; regenerate it with: "
                + REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void theConfigurationReadsEverySettingAndNothingElse() {
    Set<String> read = new LinkedHashSet<>();
    Map<String, String> env =
        new HashMap<>() {
          @Override
          public String get(Object key) {
            read.add((String) key);
            return super.get(key);
          }

          @Override
          public String getOrDefault(Object key, String fallback) {
            read.add((String) key);
            return super.getOrDefault(key, fallback);
          }

          @Override
          public boolean containsKey(Object key) {
            read.add((String) key);
            return super.containsKey(key);
          }
        };
    CofferConfig.from(env);
    Set<String> named =
        Stream.of(Setting.values())
            .filter(Setting::readByName)
            .map(Setting::variable)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> readCoffer =
        read.stream()
            .filter(v -> v.startsWith("COFFER_"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(readCoffer)
        .as("variables CofferConfig reads, against the Setting constants")
        .isEqualTo(named);
  }

  @Test
  void everyNumericDefaultIsInItsRange() {
    for (Setting s : Setting.values()) {
      if (s.numeric() && s.defaultValue() != null) {
        long value = Long.parseLong(s.defaultValue());
        assertThat(value).as(s.variable()).isBetween(s.min(), s.max());
      }
    }
  }

  @Test
  void rateLimitPoliciesAreSettingsWithTheSameDefaults() {
    Map<String, String> fromPolicies = new TreeMap<>();
    RateLimitSettings.DEFAULTS.forEach(
        (name, d) -> fromPolicies.put(RateLimitSettings.variable(name), (String) d[1]));
    Map<String, String> fromSettings = new TreeMap<>();
    for (Setting s : Setting.values()) {
      if (s.group() == Setting.Group.RATE_LIMITS
          && s.variable().startsWith("COFFER_RATE_LIMIT_")
          && s != Setting.RATE_LIMIT_ENABLED
          && s != Setting.RATE_LIMIT_FAIL_CLOSED) {
        fromSettings.put(s.variable(), s.defaultValue());
      }
    }
    assertThat(fromSettings).isEqualTo(fromPolicies);
  }

  /**
   * Every {@code COFFER_*} name in the README and docs is a setting, or a variable that one of the
   * project's scripts or test fixtures reads (the local stack's, the cluster's, the load tests'). A
   * name ending in {@code _} (written {@code COFFER_RATE_LIMIT_<NAME>} or {@code
   * COFFER_STACK_*_PORT}) must begin some known variable.
   */
  @Test
  void theDocsNameNoVariableThatNothingReads() throws IOException {
    Set<String> settings =
        Stream.of(Setting.values()).map(Setting::variable).collect(Collectors.toSet());
    String scripts = scriptText();
    Pattern name = Pattern.compile("COFFER_[A-Z0-9_]+");
    Map<String, List<String>> unknown = new TreeMap<>();
    for (Path doc : markdownFiles()) {
      Matcher m = name.matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (m.find()) {
        String v = m.group();
        boolean known =
            v.endsWith("_")
                ? settings.stream().anyMatch(s -> s.startsWith(v))
                    || Pattern.compile(Pattern.quote(v) + "[A-Z0-9_]").matcher(scripts).find()
                : settings.contains(v)
                    || Pattern.compile("\\b" + v + "\\b").matcher(scripts).find();
        if (!known) {
          unknown.computeIfAbsent(v, k -> new ArrayList<>()).add(ROOT.relativize(doc).toString());
        }
      }
    }
    assertThat(unknown.toString())
        .as(
            "COFFER_* variables named in the docs (and where) that neither Setting nor any script"
                + " knows")
        .isEqualTo("{}");
  }

  /** README.md, CONTRIBUTING.md and every Markdown file under docs/. */
  static List<Path> markdownFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String top : List.of("README.md", "CONTRIBUTING.md")) {
      if (Files.exists(ROOT.resolve(top))) {
        files.add(ROOT.resolve(top));
      }
    }
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  // What the scripts and fixtures read: dev/, gatling's scripts, the testkit, CI, the chart.
  private static String scriptText() throws IOException {
    StringBuilder text = new StringBuilder();
    for (String dir : SCRIPT_DIRS) {
      Path root = ROOT.resolve(dir);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          if (f.toString().contains("/target/") || Files.size(f) > 2_000_000) {
            continue;
          }
          try {
            text.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
          } catch (java.nio.charset.MalformedInputException binary) {
            // not text
          }
        }
      }
    }
    return text.toString();
  }

  /** The page, from {@link Setting}'s constants. */
  static String render() {
    StringBuilder md = new StringBuilder();
    md.append("# Configuration reference\n\n")
        .append(
            "<!-- Generated from api/src/main/java/dev/coffer/api/config/Setting.java: do not"
                + " edit by hand.\n     Regenerate: ")
        .append(REGENERATE)
        .append(" -->\n\n")
        .append(
            "This page covers every environment variable a Coffer instance reads. Coffer reads"
                + " one typed configuration\n(`CofferConfig`) from the environment at start; a"
                + " malformed or out-of-range value stops start-up\nwith the variable named"
                + " (database URIs, Redis passwords and the API-key secret are never echoed).\n"
                + "Booleans take `true`/`false` (also `1`/`0`, `yes`/`no`); `_MS` values are"
                + " milliseconds. The\nlocal stack's own variables (`COFFER_STACK_*`) are in"
                + " [development.md](development.md#the-local-stack);\n`dev/run` also passes"
                + " `JAVA_OPTS` to the JVM. `java -jar api/target/coffer-api.jar migrate`"
                + " applies\nthe migrations and exits (for a Kubernetes Job); with no argument (or"
                + " `serve`) it serves.\n");
    for (Setting.Group group : Setting.Group.values()) {
      md.append("\n## ").append(group.title()).append("\n\n");
      md.append("| variable | default | allowed | meaning |\n| --- | --- | --- | --- |\n");
      for (Setting s : Setting.values()) {
        if (s.group() != group) {
          continue;
        }
        md.append("| `")
            .append(s.variable())
            .append("` | ")
            .append(s.documentedDefault().replace("|", "\\|"))
            .append(" | ")
            .append(allowed(s))
            .append(" | ")
            .append(s.meaning().replace("|", "\\|"))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String allowed(Setting s) {
    if (s.numeric()) {
      return String.format("%,d to %,d", s.min(), s.max());
    }
    if ("true".equals(s.defaultValue()) || "false".equals(s.defaultValue())) {
      return "`true`, `false`";
    }
    return switch (s) {
      case SESSION_TOKENS -> "`tagged`, `plain`";
      case API_KEY_SECRET -> "32 characters or more";
      case OTEL_TRACES_SAMPLER_ARG -> "0.0 to 1.0";
      case TRUSTED_PROXIES -> "CIDRs, comma-separated";
      case PG_PRIMARY, PG_REPLICA -> "`postgresql://` URI";
      case REDIS_NODES -> "`redis://` URIs, comma-separated";
      default -> s.variable().startsWith("COFFER_RATE_LIMIT_") ? "`LIMIT/SECONDS`" : "";
    };
  }
}
