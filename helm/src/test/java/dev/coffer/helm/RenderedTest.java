package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.models.V1Deployment;
import org.junit.jupiter.api.Test;

/** The strict parse the chart tests rely on really is strict. */
class RenderedTest {
  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: d
      spec:
        selector:
          matchLabels: {app: d}
        template:
          metadata:
            labels: {app: d}
          spec:
            containers:
              - name: c
                image: i
                %s
      """;

  @Test
  void aWellFormedDeploymentParses() {
    Rendered rendered = new Rendered(DEPLOYMENT.formatted("args: [serve]"));
    assertThat(rendered.one(V1Deployment.class).getSpec().getTemplate().getSpec().getContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getArgs()).containsExactly("serve"));
  }

  @Test
  void anUnknownOrMisplacedFieldFails() {
    assertThatThrownBy(() -> new Rendered(DEPLOYMENT.formatted("readinesProbe: {}")))
        .hasMessageContaining("readinesProbe");
    assertThatThrownBy(() -> new Rendered(DEPLOYMENT.formatted("replicas: 2")))
        .hasMessageContaining("replicas");
  }

  @Test
  void aMissingRequiredFieldFails() {
    String noSelector =
        DEPLOYMENT.formatted("").replace("  selector:\n    matchLabels: {app: d}\n", "");
    assertThat(noSelector).doesNotContain("selector");
    assertThatThrownBy(() -> new Rendered(noSelector)).hasMessageContaining("selector");
  }

  @Test
  void aKindOnTheWrongApiVersionFails() {
    assertThatThrownBy(
            () -> new Rendered(DEPLOYMENT.formatted("").replace("apps/v1", "extensions/v1beta1")))
        .hasMessageContaining("apiVersion of Deployment");
  }
}
