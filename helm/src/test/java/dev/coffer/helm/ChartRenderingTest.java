package dev.coffer.helm;

import static dev.coffer.helm.Containers.container;
import static dev.coffer.helm.Containers.containersWithEnv;
import static dev.coffer.helm.Containers.env;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1TopologySpreadConstraint;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2MetricSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartRenderingTest {

  /** The two value sets the acceptance names: the defaults and the production-like example. */
  static Stream<String> valueSets() {
    return Stream.of("defaults", "production");
  }

  private static Rendered render(String valueSet) {
    return valueSet.equals("defaults")
        ? CofferChart.renderDefaults()
        : CofferChart.render(CofferChart.productionValues());
  }

  @Test
  void lintPassesStrictlyWithNothingButTheIconHint() {
    LintResult lint = CofferChart.lint();
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages())
        .allSatisfy(m -> assertThat(m).startsWith("[INFO]").doesNotContain("values"));
  }

  @Test
  void lintPassesStrictlyWithTheProductionExampleToo() {
    LintResult lint = CofferChart.lint(CofferChart.productionValues());
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
  }

  @Test
  void lintFailsOnAValueTheSchemaRefuses(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "replicaCount: -1\n");
    LintResult lint = CofferChart.lint(bad);
    assertThat(lint.isFailed()).isTrue();
    assertThat(String.join("\n", lint.getMessages())).contains("replicaCount");
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void everyDocumentParsesStrictlyAsItsKubernetesType(String values) {
    Rendered rendered = render(values);
    assertThat(rendered.names())
        .contains(
            "ConfigMap/coffer",
            "Service/coffer",
            "ServiceAccount/coffer",
            "Deployment/coffer",
            "HorizontalPodAutoscaler/coffer",
            "PodDisruptionBudget/coffer",
            "Job/coffer-migrate",
            "Pod/coffer-test-ready");
  }

  @Test
  void theProductionExampleRendersEveryOptionalObject() {
    Rendered rendered = CofferChart.render(CofferChart.productionValues());
    assertThat(rendered.names())
        .contains(
            "Ingress/coffer",
            "NetworkPolicy/coffer",
            "ServiceMonitor/coffer",
            "PrometheusRule/coffer");
  }

  @Test
  void renderingHooksThroughTheStandInChangesNothingElse() {
    String plain = CofferChart.templateWithoutHooks(Map.of(), CofferChart.productionValues());
    Rendered withHooks = CofferChart.render(CofferChart.productionValues());
    assertThat(withHooks.text()).doesNotContain(CofferChart.HOOK_STAND_IN);
    String withHooksMinusHooked =
        Stream.of(withHooks.text().split("(?m)^---$"))
            .filter(doc -> !doc.contains(CofferChart.HOOK + ":"))
            .collect(Collectors.joining("---"));
    assertThat(withHooksMinusHooked.strip()).isEqualTo(plain.strip());
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void probesUseTheHealthEndpointsOnTheServedPort(String values) {
    V1Deployment deployment = render(values).one(V1Deployment.class);
    V1Container coffer = container(deployment);
    assertThat(coffer.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getName()).isEqualTo("http"));
    int port = coffer.getPorts().get(0).getContainerPort();
    assertThat(port).isEqualTo(8080);
    assertThat(configMapOf(render(values)).get("COFFER_HTTP_PORT")).isEqualTo("8080");

    assertThat(path(coffer.getReadinessProbe())).isEqualTo("/health/ready");
    assertThat(path(coffer.getLivenessProbe())).isEqualTo("/health/live");
    assertThat(path(coffer.getStartupProbe())).isEqualTo("/health/live");
    for (V1Probe probe :
        List.of(coffer.getReadinessProbe(), coffer.getLivenessProbe(), coffer.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
    }
  }

  @Test
  void aChangedPortMovesTheContainerPortAndTheSetting() {
    Rendered rendered = CofferChart.render(Map.of("config.httpPort", 9090));
    V1Container coffer = container(rendered.one(V1Deployment.class));
    assertThat(coffer.getPorts().get(0).getContainerPort()).isEqualTo(9090);
    assertThat(configMapOf(rendered).get("COFFER_HTTP_PORT")).isEqualTo("9090");
    assertThat(rendered.one(V1Service.class).getSpec().getPorts().get(0).getTargetPort())
        .isEqualTo(new IntOrString("http"));
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void theGracePeriodCoversPreStopDelayDrainAndCoffersOwnMargin(String values) {
    Rendered rendered = render(values);
    assertGraceCoversTheStop(rendered);
  }

  @Test
  void theGracePeriodRoundsMillisecondsUp() {
    Rendered rendered =
        CofferChart.render(
            Map.of(
                "config.shutdownDelayMs", 7500,
                "config.drainTimeoutMs", 12001,
                "preStopSleepSeconds", 3,
                "terminationGraceMarginSeconds", 10));
    // 3 + ceil(19.501) + 10
    assertThat(spec(rendered).getTerminationGracePeriodSeconds()).isEqualTo(33L);
    assertGraceCoversTheStop(rendered);
  }

  private static void assertGraceCoversTheStop(Rendered rendered) {
    Map<String, String> config = configMapOf(rendered);
    long delayMs = Long.parseLong(config.get("COFFER_SHUTDOWN_DELAY_MS"));
    long drainMs = Long.parseLong(config.get("COFFER_DRAIN_TIMEOUT_MS"));
    V1PodSpec spec = spec(rendered);
    long preStop = preStopSeconds(spec.getContainers().get(0));
    // Coffer ends itself 10 s after delay plus drain (ShutdownSignals); SIGKILL must come later.
    assertThat(spec.getTerminationGracePeriodSeconds() * 1000)
        .isGreaterThanOrEqualTo(preStop * 1000 + delayMs + drainMs + 10_000);
  }

  private static long preStopSeconds(V1Container container) {
    if (container.getLifecycle() == null) {
      return 0;
    }
    var preStop = container.getLifecycle().getPreStop();
    if (preStop.getSleep() != null) {
      return preStop.getSleep().getSeconds();
    }
    List<String> command = preStop.getExec().getCommand();
    assertThat(command.get(0)).isEqualTo("sleep");
    return Long.parseLong(command.get(1));
  }

  @Test
  void preStopIsASleepActionFrom130AndASleepCommandBefore() {
    Rendered modern = CofferChart.render("1.31.0", Map.of("preStopSleepSeconds", 4));
    assertThat(
            container(modern.one(V1Deployment.class))
                .getLifecycle()
                .getPreStop()
                .getSleep()
                .getSeconds())
        .isEqualTo(4L);
    Rendered older = CofferChart.render("1.28.0", Map.of("preStopSleepSeconds", 4));
    assertThat(
            container(older.one(V1Deployment.class))
                .getLifecycle()
                .getPreStop()
                .getExec()
                .getCommand())
        .containsExactly("sleep", "4");
    assertThat(container(CofferChart.renderDefaults().one(V1Deployment.class)).getLifecycle())
        .as("no hook by default: Coffer's own delay keeps it serving while endpoints go")
        .isNull();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void rolloutsNeverTakeAServingPodAwayFirst(String values) {
    V1Deployment deployment = render(values).one(V1Deployment.class);
    var strategy = deployment.getSpec().getStrategy();
    assertThat(strategy.getType()).isEqualTo("RollingUpdate");
    assertThat(strategy.getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(strategy.getRollingUpdate().getMaxSurge()).isNotEqualTo(new IntOrString(0));
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void podsSpreadOverNodesAndZones(String values) {
    V1Deployment deployment = render(values).one(V1Deployment.class);
    List<V1TopologySpreadConstraint> spread =
        deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
    assertThat(spread)
        .extracting(V1TopologySpreadConstraint::getTopologyKey)
        .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
    assertThat(spread)
        .allSatisfy(
            c ->
                assertThat(c.getLabelSelector().getMatchLabels())
                    .isEqualTo(deployment.getSpec().getSelector().getMatchLabels()));
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void everyPodRunsNonRootReadOnlyWithoutPrivilegeOrCapabilities(String values) {
    Rendered rendered = render(values);
    List<V1PodSpec> pods =
        List.of(
            spec(rendered),
            rendered.one(V1Job.class).getSpec().getTemplate().getSpec(),
            rendered.one(V1Pod.class).getSpec());
    for (V1PodSpec pod : pods) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .isEqualTo("RuntimeDefault");
      assertThat(pod.getAutomountServiceAccountToken()).isFalse();
      for (V1Container c : pod.getContainers()) {
        V1SecurityContext sc = c.getSecurityContext();
        assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
        assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
      }
    }
    V1ServiceAccount account = rendered.one(V1ServiceAccount.class);
    assertThat(account.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec(rendered).getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    // The read-only root needs a writable /tmp for the JVM and Vert.x.
    assertThat(container(rendered.one(V1Deployment.class)).getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void noSecretReachesAConfigMapOrAPlainEnvValue(String values) {
    Rendered rendered = render(values);
    for (V1ConfigMap configMap : rendered.all(V1ConfigMap.class)) {
      assertThat(configMap.getData().keySet())
          .doesNotContain("COFFER_PG_PRIMARY", "COFFER_PG_REPLICA", "COFFER_API_KEY_SECRET")
          .noneMatch(k -> k.toUpperCase().contains("PASSWORD"))
          .doesNotContain("COFFER_REDIS_NODES");
      assertThat(configMap.getData().values())
          .noneMatch(v -> v.contains("postgresql://") || v.contains("@"));
    }
    for (V1Container c : containersWithEnv(rendered)) {
      Map<String, V1EnvVar> env = env(c);
      for (String secret : List.of("COFFER_PG_PRIMARY", "COFFER_PG_REPLICA")) {
        assertThat(env.get(secret).getValue()).as(secret).isNull();
        assertThat(env.get(secret).getValueFrom().getSecretKeyRef().getName()).isNotBlank();
      }
    }
  }

  @Test
  void theRedisPasswordComesFromItsSecretAndIsSplicedInByKubernetes() {
    Rendered rendered = CofferChart.render(CofferChart.productionValues());
    for (V1Container c : containersWithEnv(rendered)) {
      Map<String, V1EnvVar> env = env(c);
      var ref = env.get("REDIS_PASSWORD").getValueFrom().getSecretKeyRef();
      assertThat(ref.getName()).isEqualTo("coffer-prod-redis");
      assertThat(ref.getKey()).isEqualTo("password");
      // Kubernetes expands $(VAR) only from variables defined earlier in the list.
      List<String> names = c.getEnv().stream().map(V1EnvVar::getName).toList();
      assertThat(names.indexOf("REDIS_PASSWORD")).isLessThan(names.indexOf("COFFER_REDIS_NODES"));
      assertThat(env.get("COFFER_REDIS_NODES").getValue().split(","))
          .hasSize(3)
          .allSatisfy(
              uri ->
                  assertThat(uri)
                      .matches(
                          "redis://:\\$\\(REDIS_PASSWORD\\)@redis-\\d\\.redis\\.data\\.svc\\.cluster\\.local:6379"));
    }
    Rendered noAuth = CofferChart.renderDefaults();
    assertThat(env(container(noAuth.one(V1Deployment.class))))
        .doesNotContainKey("REDIS_PASSWORD")
        .hasEntrySatisfying(
            "COFFER_REDIS_NODES",
            e ->
                assertThat(e.getValue())
                    .startsWith("redis://redis-cluster-0.")
                    .doesNotContain("@"));
  }

  @Test
  void theApiKeySecretComesFromItsSecretWhenOneIsNamed() {
    for (V1Container c : containersWithEnv(CofferChart.render(CofferChart.productionValues()))) {
      var ref = env(c).get("COFFER_API_KEY_SECRET").getValueFrom().getSecretKeyRef();
      assertThat(ref.getName()).isEqualTo("coffer-prod-api-keys");
      assertThat(ref.getKey()).isEqualTo("api-key-secret");
      assertThat(env(c).get("COFFER_API_KEY_SECRET").getValue()).isNull();
    }
    // None named: the service's development key (it warns at start), not an empty variable.
    assertThat(env(container(CofferChart.renderDefaults().one(V1Deployment.class))))
        .doesNotContainKey("COFFER_API_KEY_SECRET");
  }

  @Test
  void aConfigChangeChangesThePodTemplateChecksumAndNothingElseDoesNot() {
    String base = checksum(CofferChart.renderDefaults());
    assertThat(base).matches("[0-9a-f]{64}");
    assertThat(checksum(CofferChart.render(Map.of("config.drainTimeoutMs", 25000))))
        .isNotEqualTo(base);
    assertThat(
            checksum(
                CofferChart.render(Map.of("config.extra.COFFER_RATE_LIMIT_ANONYMOUS", "100/60"))))
        .isNotEqualTo(base);
    assertThat(checksum(CofferChart.render(Map.of("service.port", 8081)))).isEqualTo(base);
    assertThat(checksum(CofferChart.renderDefaults())).as("stable").isEqualTo(base);
  }

  private static String checksum(Rendered rendered) {
    return rendered
        .one(V1Deployment.class)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get("checksum/config");
  }

  @Test
  void theHpaScalesOnCpuBetweenItsBoundsWithItsBehaviourWrittenOut() {
    V2HorizontalPodAutoscaler hpa =
        CofferChart.renderDefaults().one(V2HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("coffer");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(12);
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(this::isCpuAt70);
    var behavior = hpa.getSpec().getBehavior();
    assertThat(behavior.getScaleUp().getStabilizationWindowSeconds()).isZero();
    assertThat(behavior.getScaleUp().getSelectPolicy()).isEqualTo("Max");
    assertThat(behavior.getScaleUp().getPolicies()).hasSize(2);
    assertThat(behavior.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(300);
    assertThat(behavior.getScaleDown().getSelectPolicy()).isEqualTo("Min");
    assertThat(behavior.getScaleDown().getPolicies())
        .allSatisfy(p -> assertThat(p.getPeriodSeconds()).isEqualTo(60));
    // With an HPA the Deployment leaves the count to it, so an upgrade does not reset the scale.
    assertThat(CofferChart.renderDefaults().one(V1Deployment.class).getSpec().getReplicas())
        .isNull();
  }

  private void isCpuAt70(V2MetricSpec metric) {
    assertThat(metric.getType()).isEqualTo("Resource");
    assertThat(metric.getResource().getName()).isEqualTo("cpu");
    assertThat(metric.getResource().getTarget().getType()).isEqualTo("Utilization");
    assertThat(metric.getResource().getTarget().getAverageUtilization()).isEqualTo(70);
  }

  @Test
  void theHpaCanAlsoScaleOnTheInFlightGaugeCofferExports() {
    V2HorizontalPodAutoscaler hpa =
        CofferChart.render(CofferChart.productionValues()).one(V2HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(4);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(24);
    V2MetricSpec pods = hpa.getSpec().getMetrics().get(1);
    assertThat(pods.getType()).isEqualTo("Pods");
    // The gauge's name in Coffer's /metrics (README, CofferServer).
    assertThat(pods.getPods().getMetric().getName()).isEqualTo("coffer_http_in_flight_requests");
    assertThat(pods.getPods().getTarget().getType()).isEqualTo("AverageValue");
    assertThat(pods.getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("800"));
  }

  @Test
  void withoutAutoscalingTheDeploymentOwnsTheCount() {
    Rendered rendered = CofferChart.render(Map.of("autoscaling.enabled", false, "replicaCount", 5));
    assertThat(rendered.find(V2HorizontalPodAutoscaler.class)).isEmpty();
    assertThat(rendered.one(V1Deployment.class).getSpec().getReplicas()).isEqualTo(5);
  }

  @Test
  void thePdbLetsOnePodGoByDefaultAndTakesAPercentage() {
    V1PodDisruptionBudget pdb = CofferChart.renderDefaults().one(V1PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(
            CofferChart.renderDefaults()
                .one(V1Deployment.class)
                .getSpec()
                .getSelector()
                .getMatchLabels());
    V1PodDisruptionBudget production =
        CofferChart.render(CofferChart.productionValues()).one(V1PodDisruptionBudget.class);
    assertThat(production.getSpec().getMinAvailable()).isEqualTo(new IntOrString("75%"));
    assertThat(production.getSpec().getMaxUnavailable()).isNull();
  }

  @Test
  void migrationsRunInAPreInstallPreUpgradeHookAndThePodsThenSkipThem() {
    Rendered rendered = CofferChart.renderDefaults();
    V1Job job = rendered.one(V1Job.class);
    Map<String, String> annotations = job.getMetadata().getAnnotations();
    assertThat(annotations.get("helm.sh/hook")).isEqualTo("pre-install,pre-upgrade");
    assertThat(annotations.get("helm.sh/hook-delete-policy")).contains("before-hook-creation");
    V1Container migrate = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(migrate.getArgs()).containsExactly("migrate");
    assertThat(migrate.getImage())
        .isEqualTo(container(rendered.one(V1Deployment.class)).getImage());
    assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    // A pre-install hook runs before the release's ConfigMap and ServiceAccount exist.
    assertThat(migrate.getEnvFrom()).isNullOrEmpty();
    assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isNull();
    assertThat(configMapOf(rendered).get("COFFER_MIGRATE_ON_START")).isEqualTo("false");
    assertThat(container(rendered.one(V1Deployment.class)).getArgs()).containsExactly("serve");
    // The Deployment itself is no hook: Helm applies it after the pre-upgrade Job succeeded.
    assertThat(rendered.one(V1Deployment.class).getMetadata().getAnnotations()).isNullOrEmpty();

    Rendered atStart = CofferChart.render(Map.of("migrations.job.enabled", false));
    assertThat(atStart.find(V1Job.class)).isEmpty();
    assertThat(configMapOf(atStart).get("COFFER_MIGRATE_ON_START")).isEqualTo("true");
  }

  @Test
  void helmTestCallsReadinessThroughTheService() {
    Rendered rendered = CofferChart.renderDefaults();
    V1Pod test = rendered.one(V1Pod.class);
    assertThat(test.getMetadata().getAnnotations().get("helm.sh/hook")).isEqualTo("test");
    assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(test.getSpec().getContainers().get(0).getCommand())
        .contains("--fail-with-body")
        .last()
        .isEqualTo("http://coffer:80/health/ready");
  }

  @Test
  void theIngressKeepsStreamsOpenAndRoutesToTheService() {
    V1Ingress ingress = CofferChart.render(CofferChart.productionValues()).one(V1Ingress.class);
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend();
    assertThat(backend.getService().getName()).isEqualTo("coffer");
    assertThat(backend.getService().getPort().getName()).isEqualTo("http");
    assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("coffer-tls");
  }

  @Test
  void theNetworkPolicyLetsInOnlyTheHttpPortAndOutOnlyPostgresRedisAndDns() {
    V1NetworkPolicy policy =
        CofferChart.render(CofferChart.productionValues()).one(V1NetworkPolicy.class);
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(policy.getSpec().getIngress())
        .singleElement()
        .satisfies(
            in -> {
              assertThat(in.getPorts())
                  .singleElement()
                  .satisfies(p -> assertThat(p.getPort()).isEqualTo(new IntOrString("http")));
              assertThat(in.getFrom()).hasSize(3);
            });
    List<V1NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
    assertThat(egress).hasSize(3);
    assertThat(egress.get(0).getPorts().get(0).getPort()).isEqualTo(new IntOrString(5432));
    assertThat(egress.get(0).getTo().get(0).getIpBlock().getCidr()).isEqualTo("10.20.0.0/24");
    assertThat(egress.get(1).getPorts().get(0).getPort()).isEqualTo(new IntOrString(6379));
    assertThat(egress.get(2).getPorts())
        .extracting(p -> p.getPort().getIntValue() + "/" + p.getProtocol())
        .containsExactly("53/UDP", "53/TCP");
    assertThat(egress)
        .allSatisfy(rule -> assertThat(rule.getPorts()).isNotEmpty())
        .as("no rule lets everything out");
    // The policy selects the API pods only (the migration Job runs before it exists anyway).
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/component", "api");
  }

  @Test
  void theServiceMonitorScrapesMetricsOnTheHttpPort() {
    Map<String, Object> monitor =
        CofferChart.render(CofferChart.productionValues()).custom("ServiceMonitor");
    Map<String, Object> spec = CustomResources.map(monitor.get("spec"));
    Map<String, Object> endpoint =
        CustomResources.map(CustomResources.list(spec.get("endpoints")).get(0));
    assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/metrics");
    assertThat(Rendered.labelSelector(spec.get("selector")).getMatchLabels())
        .isEqualTo(CofferChart.renderDefaults().one(V1Service.class).getSpec().getSelector());
  }

  @Test
  void thePrometheusRuleHasTheRunbooksAlertsWithTheirThresholds() {
    Map<String, Object> rule =
        CofferChart.render(CofferChart.productionValues()).custom("PrometheusRule");
    Map<String, String> exprs = new LinkedHashMap<>();
    for (Object group : CustomResources.list(CustomResources.map(rule.get("spec")).get("groups"))) {
      for (Object r : CustomResources.list(CustomResources.map(group).get("rules"))) {
        Map<String, Object> alert = CustomResources.map(r);
        if (!alert.containsKey("alert")) {
          continue; // a recording rule (PromtoolRulesTest tests them)
        }
        exprs.put((String) alert.get("alert"), ((String) alert.get("expr")).strip());
        assertThat(CustomResources.map(alert.get("labels"))).containsKey("severity");
        assertThat(CustomResources.map(alert.get("annotations")))
            .containsKeys("summary", "runbook");
      }
    }
    assertThat(exprs.keySet())
        .containsExactly(
            "CofferErrorBudgetBurnFast",
            "CofferErrorBudgetBurnSlow",
            "CofferHighErrorRatio",
            "CofferHighLatencyP99",
            "CofferReplicaLagHigh",
            "CofferReplicaLagUnknown",
            "CofferRedisCircuitOpen",
            "CofferEventLoopBlocked",
            "CofferNearInFlightBound",
            "CofferSheddingRequests",
            "CofferDatabasePoolSaturated",
            "CofferCpuPressure",
            "CofferMemoryPressure",
            "CofferManyWebSocketConnections",
            "CofferStreamDelayHigh",
            "CofferWebhookBacklog",
            "CofferWebhookOldestUndelivered",
            "CofferGroupCommitFallbacks");
    assertThat(exprs.get("CofferHighErrorRatio")).contains("code=~\"5..\"").endsWith("> 0.01");
    assertThat(exprs.get("CofferHighLatencyP99"))
        .startsWith("histogram_quantile(0.99,")
        .endsWith("> 0.5");
    // 0.8 of the production example's COFFER_MAX_IN_FLIGHT (2048).
    assertThat(exprs.get("CofferNearInFlightBound")).endsWith("> 1638.4");
    assertThat(exprs.values())
        .allSatisfy(e -> assertThat(e).contains("job=\"coffer\", namespace=\"payments\""));
  }

  // --- helpers

  private static V1PodSpec spec(Rendered rendered) {
    return rendered.one(V1Deployment.class).getSpec().getTemplate().getSpec();
  }

  private static Map<String, String> configMapOf(Rendered rendered) {
    return Objects.requireNonNull(rendered.one(V1ConfigMap.class).getData());
  }

  private static String path(V1Probe probe) {
    return probe.getHttpGet().getPath();
  }
}
