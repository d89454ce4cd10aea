package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Helm checks values against values.schema.json before rendering; bad values never render. */
class ValuesSchemaTest {

  private static void refused(Map<String, Object> sets, String... messageParts) {
    assertThatThrownBy(() -> CofferChart.render(sets))
        .isInstanceOf(IllegalStateException.class)
        .message()
        .contains(messageParts);
  }

  @Test
  void aNegativeReplicaCountIsRefusedNamingTheValue() {
    refused(Map.of("replicaCount", -1), "replicaCount", "minimum");
  }

  @Test
  void anUnknownKeyIsRefused() {
    refused(Map.of("replicas", 3), "replicas");
    refused(Map.of("config.drainTimeout", 3), "drainTimeout");
  }

  @ParameterizedTest
  @CsvSource({
    "config.shutdownDelayMs, -1",
    "config.drainTimeoutMs, 600001",
    "config.httpPort, 80",
    "terminationGraceMarginSeconds, 5",
    "autoscaling.targetCPUUtilizationPercentage, 0",
    "probes.readiness.periodSeconds, 0",
  })
  void numbersOutsideWhatCofferOrKubernetesAcceptAreRefused(String key, int value) {
    refused(Map.of(key, value), key.substring(key.lastIndexOf('.') + 1));
  }

  @Test
  void wrongTypesAndEnumsAreRefused() {
    refused(Map.of("service.type", "Internal"), "/service/type", "ClusterIP");
    refused(Map.of("image.pullPolicy", "Sometimes"), "pullPolicy");
    refused(Map.of("redis.nodes[0]", "redis://a:6379"), "nodes");
  }

  @Test
  void secretsAndChartOwnedSettingsCannotBeSlippedIntoTheConfigMap() {
    refused(Map.of("config.extra.COFFER_PG_PRIMARY", "postgresql://u:p@h/db"), "COFFER_PG_PRIMARY");
    refused(Map.of("config.extra.COFFER_MIGRATE_ON_START", "true"), "COFFER_MIGRATE_ON_START");
    refused(Map.of("config.extra.JAVA_HOME", "/x"), "JAVA_HOME");
  }

  @Test
  void redisAuthWithoutASecretIsRefused() {
    refused(Map.of("redis.auth.enabled", true), "existingSecret");
  }

  @Test
  void boundsTheSchemaCannotExpressAreCheckedByTheTemplates() {
    refused(
        Map.of("autoscaling.minReplicas", 5, "autoscaling.maxReplicas", 4),
        "autoscaling.minReplicas (5) must not exceed autoscaling.maxReplicas (4)");
    refused(
        Map.of("podDisruptionBudget.minAvailable", 2),
        "set exactly one of maxUnavailable and minAvailable");
  }

  @Test
  void aKubernetesOlderThanTheChartSupportsIsRefused() {
    assertThatThrownBy(() -> CofferChart.render("1.22.0", Map.of()))
        .hasMessageContaining("kubeVersion");
  }
}
