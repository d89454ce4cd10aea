package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus Operator's kinds are not in client-java-api: their fields are checked here against
 * the parts of monitoring.coreos.com/v1 the chart uses, just as strictly (no unknown key).
 */
final class CustomResources {
  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA = Set.of("name", "labels", "annotations");
  private static final Set<String> SERVICE_MONITOR_SPEC = Set.of("selector", "endpoints");
  private static final Set<String> ENDPOINT = Set.of("port", "path", "interval", "scrapeTimeout");
  private static final Set<String> GROUP = Set.of("name", "rules");
  private static final Set<String> ALERT = Set.of("alert", "expr", "for", "labels", "annotations");

  private CustomResources() {}

  static void check(String kind, Map<String, Object> doc) {
    keys(kind, doc, TOP, TOP);
    keys(kind + ".metadata", map(doc.get("metadata")), METADATA, Set.of("name"));
    Map<String, Object> spec = map(doc.get("spec"));
    if (kind.equals("ServiceMonitor")) {
      keys("ServiceMonitor.spec", spec, SERVICE_MONITOR_SPEC, SERVICE_MONITOR_SPEC);
      Rendered.labelSelector(spec.get("selector"));
      for (Object endpoint : list(spec.get("endpoints"))) {
        keys("ServiceMonitor endpoint", map(endpoint), ENDPOINT, Set.of("port"));
      }
    } else {
      keys("PrometheusRule.spec", spec, Set.of("groups"), Set.of("groups"));
      for (Object group : list(spec.get("groups"))) {
        keys("PrometheusRule group", map(group), GROUP, GROUP);
        for (Object rule : list(map(group).get("rules"))) {
          keys("alerting rule", map(rule), ALERT, Set.of("alert", "expr"));
          assertThat(map(rule).get("expr")).isInstanceOf(String.class);
        }
      }
    }
  }

  private static void keys(
      String where, Map<String, Object> object, Set<String> allowed, Set<String> required) {
    assertThat(allowed).as("fields of %s", where).containsAll(object.keySet());
    assertThat(object.keySet()).as("required fields of %s", where).containsAll(required);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }
}
