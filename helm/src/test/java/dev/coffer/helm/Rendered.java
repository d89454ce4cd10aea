package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The documents of one `helm template`, each parsed strictly as its Kubernetes type: the generated
 * models of client-java-api refuse a field their type does not have and a missing required one, so
 * a misspelt or misplaced key fails here instead of being dropped by the API server.
 */
final class Rendered {
  /** Built-in kinds, by the apiVersion the chart must use and the model they must parse as. */
  private static final Map<String, Kind<?>> KINDS =
      Map.of(
          "ConfigMap", new Kind<>("v1", V1ConfigMap.class),
          "Service", new Kind<>("v1", V1Service.class),
          "ServiceAccount", new Kind<>("v1", V1ServiceAccount.class),
          "Pod", new Kind<>("v1", V1Pod.class),
          "Deployment", new Kind<>("apps/v1", V1Deployment.class),
          "Job", new Kind<>("batch/v1", V1Job.class),
          "HorizontalPodAutoscaler", new Kind<>("autoscaling/v2", V2HorizontalPodAutoscaler.class),
          "PodDisruptionBudget", new Kind<>("policy/v1", V1PodDisruptionBudget.class),
          "Ingress", new Kind<>("networking.k8s.io/v1", V1Ingress.class),
          "NetworkPolicy", new Kind<>("networking.k8s.io/v1", V1NetworkPolicy.class));

  private static final Gson GSON = JSON.getGson();

  private record Kind<T>(String apiVersion, Class<T> type) {}

  private final String text;
  private final List<Map<String, Object>> documents;
  private final Map<String, Object> typed = new LinkedHashMap<>();

  Rendered(String text) {
    this.text = text;
    this.documents = new ArrayList<>();
    for (Object doc : new Yaml(new LoaderOptions()).loadAll(text)) {
      if (doc != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) doc;
        documents.add(map);
      }
    }
    for (Map<String, Object> doc : documents) {
      String kind = (String) doc.get("kind");
      String name = (String) ((Map<?, ?>) doc.get("metadata")).get("name");
      Object parsed = parse(kind, doc);
      assertThat(typed.put(kind + "/" + name, parsed)).as("duplicate %s/%s", kind, name).isNull();
    }
  }

  private static Object parse(String kind, Map<String, Object> doc) {
    String apiVersion = (String) doc.get("apiVersion");
    Kind<?> known = KINDS.get(kind);
    if (known != null) {
      assertThat(apiVersion).as("apiVersion of %s", kind).isEqualTo(known.apiVersion());
      JsonElement json = GSON.toJsonTree(doc);
      // fromJson validates the element against the model (unknown and required fields) first.
      return GSON.fromJson(json, known.type());
    }
    return switch (kind) {
      case "ServiceMonitor", "PrometheusRule" -> {
        assertThat(apiVersion).isEqualTo("monitoring.coreos.com/v1");
        CustomResources.check(kind, doc);
        yield doc;
      }
      case "Cluster", "ScheduledBackup" -> {
        assertThat(apiVersion).isEqualTo("postgresql.cnpg.io/v1");
        CustomResources.check(kind, doc);
        yield doc;
      }
      default -> throw new AssertionError("the chart renders a kind no test knows: " + kind);
    };
  }

  String text() {
    return text;
  }

  List<Map<String, Object>> documents() {
    return documents;
  }

  Set<String> names() {
    return typed.keySet();
  }

  <T> Optional<T> find(Class<T> type) {
    List<T> all = all(type);
    assertThat(all.size()).as("objects of %s", type.getSimpleName()).isLessThanOrEqualTo(1);
    return all.stream().findFirst();
  }

  <T> T one(Class<T> type) {
    return find(type).orElseThrow(() -> new AssertionError("no " + type.getSimpleName()));
  }

  <T> List<T> all(Class<T> type) {
    return typed.values().stream().filter(type::isInstance).map(type::cast).toList();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> custom(String kind) {
    return documents.stream()
        .filter(d -> kind.equals(d.get("kind")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind));
  }

  boolean has(String kind) {
    return documents.stream().anyMatch(d -> kind.equals(d.get("kind")));
  }

  /** Parses resource requirements strictly, for the custom resources' resources. */
  static V1ResourceRequirements resources(Object yaml) {
    return GSON.fromJson(GSON.toJsonTree(yaml), V1ResourceRequirements.class);
  }

  /** Parses a label selector strictly, for the custom resources' selectors. */
  static V1LabelSelector labelSelector(Object yaml) {
    return GSON.fromJson(GSON.toJsonTree(yaml), V1LabelSelector.class);
  }
}
