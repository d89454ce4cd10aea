package dev.coffer.helm;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The rendered Coffer containers, as the chart tests look at them. */
final class Containers {
  private Containers() {}

  /** A Deployment's Coffer container. */
  static V1Container container(V1Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The containers that get Coffer's settings: the Deployment's and the migration Job's. */
  static List<V1Container> containersWithEnv(Rendered rendered) {
    return List.of(
        container(rendered.one(V1Deployment.class)),
        rendered.one(V1Job.class).getSpec().getTemplate().getSpec().getContainers().get(0));
  }

  /** A container's env by name, in order. */
  static Map<String, V1EnvVar> env(V1Container container) {
    return container.getEnv().stream()
        .collect(Collectors.toMap(V1EnvVar::getName, e -> e, (a, b) -> a, LinkedHashMap::new));
  }
}
