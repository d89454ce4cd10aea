package dev.coffer.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** The chart in helm/coffer, rendered by Helm itself (helm-java runs Helm's Go code in-process). */
final class CofferChart {
  static final String RELEASE = "coffer";
  static final String NAMESPACE = "payments";

  /**
   * helm-java's template prints the release manifest only, without hooks (the migration Job, the
   * test pod). To render those too, the chart is copied with the hook annotations' key renamed, so
   * that Helm treats hooked templates as plain ones; {@link #HOOK_STAND_IN} is renamed back after
   * parsing. ChartRenderingTest checks the copy renders everything else byte for byte the same.
   */
  static final String HOOK = "helm.sh/hook";

  static final String HOOK_STAND_IN = "hooks-rendered-by-test.coffer.dev/hook";

  /** helm-java's Helm falls back to Kubernetes 1.20 without one; the chart requires 1.23+. */
  static final String KUBE_VERSION = "1.31.0";

  private CofferChart() {}

  static Path repoRoot() {
    String root = System.getProperty("coffer.repo.root");
    return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
  }

  static Path dir() {
    return repoRoot().resolve("helm").resolve("coffer");
  }

  static Path productionValues() {
    return dir().resolve("ci").resolve("production-values.yaml");
  }

  static Path cloudNativePgValues() {
    return dir().resolve("ci").resolve("cloudnativepg-values.yaml");
  }

  static LintResult lint() {
    return new Helm(dir()).lint().strict().call();
  }

  /**
   * helm-java's lint takes no values file: this lints a copy of the chart whose values.yaml is the
   * defaults with {@code valuesFile} merged over them, as Helm merges them (a null removes a key).
   */
  static LintResult lint(Path valuesFile) {
    Path copy = copy(dir(), s -> s);
    try {
      Yaml yaml = new Yaml();
      Map<String, Object> merged = yaml.load(Files.readString(copy.resolve("values.yaml")));
      merge(merged, yaml.load(Files.readString(valuesFile)));
      Files.writeString(copy.resolve("values.yaml"), yaml.dump(merged));
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(copy);
    }
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> over) {
    for (Map.Entry<String, Object> e : over.entrySet()) {
      Object current = into.get(e.getKey());
      if (e.getValue() == null) {
        into.remove(e.getKey());
      } else if (current instanceof Map && e.getValue() instanceof Map) {
        merge((Map<String, Object>) current, (Map<String, Object>) e.getValue());
      } else {
        into.put(e.getKey(), e.getValue());
      }
    }
  }

  /** The output of a client-only dry-run install, NOTES.txt included (`helm template` has none). */
  static String installNotes(Map<String, Object> sets) {
    InstallCommand install =
        new Helm(dir())
            .install()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .dryRun()
            .clientOnly();
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      install = install.set(set.getKey(), set.getValue());
    }
    return install.call().getOutput();
  }

  /** Renders the release manifest as `helm template` does (hooks left out). */
  static String templateWithoutHooks(Map<String, Object> sets, Path... valuesFiles) {
    return template(dir(), KUBE_VERSION, sets, valuesFiles);
  }

  /** Renders every document, hooks included. */
  static Rendered render(Map<String, Object> sets, Path... valuesFiles) {
    return render(KUBE_VERSION, sets, valuesFiles);
  }

  static Rendered render(String kubeVersion, Map<String, Object> sets, Path... valuesFiles) {
    Path copy = copy(dir(), text -> text.replace(HOOK, HOOK_STAND_IN));
    try {
      String text = template(copy, kubeVersion, sets, valuesFiles);
      return new Rendered(text.replace(HOOK_STAND_IN, HOOK));
    } finally {
      delete(copy);
    }
  }

  static Rendered render(Path valuesFile) {
    return render(Map.of(), valuesFile);
  }

  static Rendered renderDefaults() {
    return render(Map.of());
  }

  private static String template(
      Path chart, String kubeVersion, Map<String, Object> sets, Path... valuesFiles) {
    TemplateCommand template =
        new Helm(chart)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(kubeVersion);
    for (Path values : valuesFiles) {
      template = template.withValuesFile(values);
    }
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    return template.call();
  }

  private static Path copy(Path chart, UnaryOperator<String> edit) {
    try {
      Path copy = Files.createTempDirectory("coffer-chart-");
      Path target = copy.resolve("coffer");
      try (Stream<Path> files = Files.walk(chart)) {
        for (Path source : files.toList()) {
          Path to = target.resolve(chart.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(to);
          } else {
            Files.writeString(to, edit.apply(Files.readString(source)));
          }
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path chartCopy) {
    try (Stream<Path> files = Files.walk(chartCopy.getParent())) {
      for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
