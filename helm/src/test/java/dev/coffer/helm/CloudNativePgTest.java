package dev.coffer.helm;

import static dev.coffer.helm.Containers.container;
import static dev.coffer.helm.Containers.containersWithEnv;
import static dev.coffer.helm.Containers.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * database.cloudnativepg: Coffer on a CloudNativePG Cluster's -rw and -ro/-r services, with the
 * credentials of its application Secret, and optionally the Cluster and a ScheduledBackup rendered
 * by the chart. Rendered and parsed here only: no operator, no Kubernetes.
 */
class CloudNativePgTest {
  private static final String RW =
      "postgresql://$(CNPG_APP_USERNAME):$(CNPG_APP_PASSWORD)@%s-rw:5432/$(CNPG_APP_DBNAME)"
          + "?target_session_attrs=read-write";

  private static Rendered onExistingCluster(Map<String, Object> more) {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("database.cloudnativepg.enabled", true);
    sets.put("database.cloudnativepg.clusterName", "ledger-pg");
    sets.putAll(more);
    return CofferChart.render(sets);
  }

  private static Rendered created() {
    return CofferChart.render(CofferChart.cloudNativePgValues());
  }

  // --- the plain mode

  @Test
  void switchedOffTheCloudNativePgValuesChangeNothing() {
    Map<String, Object> ignored =
        Map.of(
            "database.cloudnativepg.clusterName",
            "ledger-pg",
            "database.cloudnativepg.readService",
            "r",
            "database.cloudnativepg.createCluster",
            true,
            "database.cloudnativepg.cluster.instances",
            5,
            "networkPolicy.enabled",
            true);
    Map<String, Object> same = Map.of("networkPolicy.enabled", true);
    assertThat(CofferChart.render(ignored).text()).isEqualTo(CofferChart.render(same).text());
  }

  @Test
  void thePlainModeStillReadsBothUrisFromTheExistingSecret() {
    Rendered rendered = CofferChart.renderDefaults();
    for (V1Container c : containersWithEnv(rendered)) {
      Map<String, V1EnvVar> env = env(c);
      assertThat(env).doesNotContainKeys("CNPG_APP_USERNAME", "CNPG_APP_PASSWORD");
      assertThat(ref(env, "COFFER_PG_PRIMARY").getName()).isEqualTo("coffer-database");
      assertThat(ref(env, "COFFER_PG_PRIMARY").getKey()).isEqualTo("primary-uri");
      assertThat(ref(env, "COFFER_PG_REPLICA").getKey()).isEqualTo("replica-uri");
    }
    assertThat(rendered.has("Cluster")).isFalse();
    assertThat(rendered.has("ScheduledBackup")).isFalse();
    assertThat(hook(rendered)).isEqualTo("pre-install,pre-upgrade");
  }

  // --- on an existing Cluster

  @Test
  void theUrisAreTheRwAndRoServicesWithTheAppSecretsCredentials() {
    Rendered rendered = onExistingCluster(Map.of());
    List<V1Container> containers = containersWithEnv(rendered);
    assertThat(containers).extracting(V1Container::getName).containsExactly("coffer", "migrate");
    for (V1Container c : containers) {
      Map<String, V1EnvVar> env = env(c);
      for (String[] variable :
          List.of(
              new String[] {"CNPG_APP_USERNAME", "username"},
              new String[] {"CNPG_APP_PASSWORD", "password"},
              new String[] {"CNPG_APP_DBNAME", "dbname"})) {
        assertThat(env.get(variable[0]).getValue()).isNull();
        assertThat(ref(env, variable[0]).getName()).isEqualTo("ledger-pg-app");
        assertThat(ref(env, variable[0]).getKey()).isEqualTo(variable[1]);
      }
      // The migration Job writes too: both containers' primary is the -rw service.
      assertThat(env.get("COFFER_PG_PRIMARY").getValue()).isEqualTo(RW.formatted("ledger-pg"));
      assertThat(env.get("COFFER_PG_REPLICA").getValue())
          .isEqualTo(
              RW.formatted("ledger-pg")
                  .replace("-rw:", "-ro:")
                  .replace("read-write", "prefer-standby"));
      // Kubernetes expands $(VAR) only from variables defined earlier in the list.
      List<String> names = c.getEnv().stream().map(V1EnvVar::getName).toList();
      assertThat(names.indexOf("CNPG_APP_PASSWORD"))
          .isLessThan(names.indexOf("COFFER_PG_PRIMARY"))
          .isLessThan(names.indexOf("COFFER_PG_REPLICA"));
    }
    assertThat(hook(rendered)).isEqualTo("pre-install,pre-upgrade");
    assertThat(configMap(rendered).get("COFFER_MIGRATE_ON_START")).isEqualTo("false");
    assertThat(rendered.has("Cluster")).as("no Cluster unless createCluster").isFalse();
    assertThat(rendered.has("ScheduledBackup")).isFalse();
  }

  @Test
  void noPasswordIsInTheManifestAndNoSecretIsRendered() {
    for (Rendered rendered : List.of(onExistingCluster(Map.of()), created())) {
      assertThat(rendered.documents())
          .noneSatisfy(d -> assertThat(d.get("kind")).isEqualTo("Secret"));
      for (V1Container c : containersWithEnv(rendered)) {
        for (V1EnvVar e : c.getEnv()) {
          if (e.getValue() != null && e.getValue().startsWith("postgresql://")) {
            assertThat(e.getValue()).contains(":$(CNPG_APP_PASSWORD)@");
          }
        }
      }
      assertThat(configMap(rendered).values())
          .noneMatch(v -> v.contains("postgresql://") || v.contains("@"));
    }
  }

  @Test
  void readsCanGoToAnyInstanceAndTheSecretCanBeNamed() {
    Rendered rendered =
        onExistingCluster(
            Map.of(
                "database.cloudnativepg.readService", "r",
                "database.cloudnativepg.appSecret", "coffer-owner"));
    Map<String, V1EnvVar> env = env(container(rendered.one(V1Deployment.class)));
    assertThat(env.get("COFFER_PG_REPLICA").getValue())
        .contains("@ledger-pg-r:5432/")
        .doesNotContain("target_session_attrs");
    assertThat(env.get("COFFER_PG_PRIMARY").getValue()).contains("@ledger-pg-rw:5432/");
    assertThat(ref(env, "CNPG_APP_PASSWORD").getName()).isEqualTo("coffer-owner");
  }

  @Test
  void theClusterNameDefaultsToTheReleasesFullNameWithDb() {
    Rendered rendered = CofferChart.render(Map.of("database.cloudnativepg.enabled", true));
    Map<String, V1EnvVar> env = env(container(rendered.one(V1Deployment.class)));
    assertThat(env.get("COFFER_PG_PRIMARY").getValue()).isEqualTo(RW.formatted("coffer-db"));
    assertThat(ref(env, "CNPG_APP_USERNAME").getName()).isEqualTo("coffer-db-app");
  }

  @Test
  void theNetworkPolicyLetsThePodsOutToTheClustersInstancesOnly() {
    V1NetworkPolicy policy =
        onExistingCluster(Map.of("networkPolicy.enabled", true)).one(V1NetworkPolicy.class);
    var postgres = policy.getSpec().getEgress().get(0);
    assertThat(postgres.getPorts().get(0).getPort().getIntValue()).isEqualTo(5432);
    assertThat(postgres.getTo())
        .singleElement()
        .satisfies(
            to ->
                assertThat(to.getPodSelector().getMatchLabels())
                    .containsExactly(Map.entry("cnpg.io/cluster", "ledger-pg")));
    // Peers given explicitly still win.
    V1NetworkPolicy given =
        onExistingCluster(
                Map.of(
                    "networkPolicy.enabled",
                    true,
                    "networkPolicy.postgres.to[0].ipBlock.cidr",
                    "10.20.0.0/24"))
            .one(V1NetworkPolicy.class);
    assertThat(given.getSpec().getEgress().get(0).getTo().get(0).getIpBlock().getCidr())
        .isEqualTo("10.20.0.0/24");
  }

  // --- with the Cluster rendered by the chart

  @Test
  void lintPassesStrictlyWithTheCloudNativePgExample() {
    LintResult lint = CofferChart.lint(CofferChart.cloudNativePgValues());
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
  }

  @Test
  void renderingHooksThroughTheStandInChangesNothingElseHereEither() {
    String plain = CofferChart.templateWithoutHooks(Map.of(), CofferChart.cloudNativePgValues());
    String withHooksMinusHooked =
        Stream.of(created().text().split("(?m)^---$"))
            .filter(doc -> !doc.contains(CofferChart.HOOK + ":"))
            .collect(Collectors.joining("---"));
    assertThat(withHooksMinusHooked.strip()).isEqualTo(plain.strip());
  }

  @Test
  void theClusterHasThreeInstancesSynchronousAnyOneAndTheCoffersDatabase() {
    Rendered rendered = created();
    assertThat(rendered.names()).contains("Cluster/coffer-db", "ScheduledBackup/coffer-db-base");
    Map<String, Object> cluster = rendered.custom("Cluster");
    assertThat(map(cluster, "metadata", "annotations"))
        .containsEntry("helm.sh/resource-policy", "keep");
    // Should the operator pass the Cluster's labels on to its pods (INHERITED_LABELS), they must
    // still never match the selector of Coffer's Service (and so its PDB and NetworkPolicy).
    Map<String, String> selector = rendered.one(V1Service.class).getSpec().getSelector();
    for (String kind : List.of("Cluster", "ScheduledBackup")) {
      Map<String, Object> labels = map(rendered.custom(kind), "metadata", "labels");
      assertThat(labels).containsEntry("app.kubernetes.io/component", "database");
      assertThat(selector.entrySet())
          .as("%s labels %s", kind, labels)
          .anySatisfy(e -> assertThat(labels).doesNotContainEntry(e.getKey(), e.getValue()));
    }
    Map<String, Object> spec = map(cluster, "spec");
    assertThat(spec)
        .containsEntry("instances", 3)
        .containsEntry("imageName", "ghcr.io/cloudnative-pg/postgresql:17.5")
        .containsEntry("primaryUpdateStrategy", "unsupervised")
        .containsEntry("primaryUpdateMethod", "switchover");
    assertThat(map(spec, "postgresql", "synchronous"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("method", "any", "number", 1, "dataDurability", "required"));
    assertThat(map(spec, "postgresql", "parameters"))
        .containsEntry("max_connections", "500")
        .containsEntry("shared_buffers", "1GB");
    assertThat(map(spec, "bootstrap", "initdb"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("database", "coffer", "owner", "coffer"));
    assertThat(map(spec, "storage"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("size", "50Gi", "storageClass", "fast-ssd"));
    assertThat(Rendered.resources(spec.get("resources")).getLimits())
        .containsEntry("memory", new Quantity("4Gi"));
    assertThat(map(spec, "monitoring")).containsEntry("enablePodMonitor", true);

    // The pods use the Cluster the chart renders.
    Map<String, V1EnvVar> env = env(container(rendered.one(V1Deployment.class)));
    assertThat(env.get("COFFER_PG_PRIMARY").getValue()).isEqualTo(RW.formatted("coffer-db"));
    assertThat(env.get("COFFER_PG_REPLICA").getValue()).contains("@coffer-db-ro:5432/");
    assertThat(ref(env, "CNPG_APP_PASSWORD").getName()).isEqualTo("coffer-db-app");
  }

  @Test
  void backupsGoToTheObjectStoreWithCompressedWalAndARetentionPolicy() {
    Map<String, Object> spec = map(created().custom("Cluster"), "spec");
    Map<String, Object> backup = map(spec, "backup");
    assertThat(backup).containsEntry("retentionPolicy", "30d");
    Map<String, Object> barman = map(backup, "barmanObjectStore");
    assertThat(barman)
        .containsEntry("destinationPath", "s3://coffer-backups/payments")
        .containsEntry("endpointURL", "https://minio.storage.svc:9000");
    assertThat(map(barman, "s3Credentials", "accessKeyId"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("name", "coffer-backup-s3", "key", "ACCESS_KEY_ID"));
    assertThat(map(barman, "s3Credentials", "secretAccessKey"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("name", "coffer-backup-s3", "key", "ACCESS_SECRET_KEY"));
    assertThat(map(barman, "wal"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("compression", "zstd", "maxParallel", 4));
    assertThat(map(barman, "data")).containsEntry("compression", "gzip");

    Map<String, Object> scheduled = map(created().custom("ScheduledBackup"), "spec");
    assertThat(scheduled)
        .containsEntry("schedule", "0 0 3 * * *")
        .containsEntry("immediate", true)
        .containsEntry("method", "barmanObjectStore")
        .containsEntry("backupOwnerReference", "self");
    assertThat(map(scheduled, "cluster")).containsExactly(Map.entry("name", "coffer-db"));
  }

  @Test
  void withoutBackupsThereIsNoBackupSectionAndNoScheduledBackup() {
    Rendered rendered =
        CofferChart.render(
            Map.of(
                "database.cloudnativepg.enabled", true,
                "database.cloudnativepg.createCluster", true));
    Map<String, Object> spec = map(rendered.custom("Cluster"), "spec");
    assertThat(spec).doesNotContainKeys("backup", "imageName");
    assertThat(spec).containsEntry("instances", 3);
    assertThat(map(spec, "storage")).containsExactly(Map.entry("size", "20Gi"));
    assertThat(rendered.has("ScheduledBackup")).isFalse();
    Rendered unscheduled =
        CofferChart.render(
            Map.of("database.cloudnativepg.cluster.backup.scheduledBackup.enabled", false),
            CofferChart.cloudNativePgValues());
    assertThat(unscheduled.has("ScheduledBackup")).isFalse();
    assertThat(map(unscheduled.custom("Cluster"), "spec")).containsKey("backup");
  }

  @Test
  void aSingleInstanceWithoutSynchronousReplicationReadsFromAnyInstance() {
    Rendered rendered =
        CofferChart.render(
            Map.of(
                "database.cloudnativepg.enabled", true,
                "database.cloudnativepg.createCluster", true,
                "database.cloudnativepg.readService", "r",
                "database.cloudnativepg.cluster.instances", 1,
                "database.cloudnativepg.cluster.synchronous.enabled", false,
                "database.cloudnativepg.cluster.keepOnUninstall", false));
    Map<String, Object> cluster = rendered.custom("Cluster");
    assertThat(map(cluster, "metadata")).doesNotContainKey("annotations");
    assertThat(map(cluster, "spec")).containsEntry("instances", 1);
    assertThat(map(cluster, "spec", "postgresql")).doesNotContainKey("synchronous");
  }

  @Test
  void whenTheChartCreatesTheClusterThePodsMigrateOnInstallAndTheJobOnUpgrades() {
    Rendered rendered = created();
    // A pre-install hook would run before the Cluster and its Secret exist.
    assertThat(hook(rendered)).isEqualTo("pre-upgrade");
    assertThat(configMap(rendered).get("COFFER_MIGRATE_ON_START")).isEqualTo("true");
    V1Container migrate =
        rendered.one(V1Job.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(migrate).get("COFFER_PG_PRIMARY").getValue())
        .isEqualTo(RW.formatted("coffer-db"));
    Rendered withoutJob =
        CofferChart.render(
            Map.of("migrations.job.enabled", false), CofferChart.cloudNativePgValues());
    assertThat(withoutJob.find(V1Job.class)).isEmpty();
    assertThat(configMap(withoutJob).get("COFFER_MIGRATE_ON_START")).isEqualTo("true");
  }

  @Test
  void theInstallNotesNameTheServicesOrTheSecretToCreate() {
    String plain = CofferChart.installNotes(Map.of());
    assertThat(plain)
        .contains("in namespace payments.\n\n1. The pods read the database URIs")
        .contains("create secret generic coffer-database")
        .doesNotContain("-rw");
    String cnpg =
        CofferChart.installNotes(
            Map.of(
                "database.cloudnativepg.enabled", true,
                "database.cloudnativepg.createCluster", true));
    assertThat(cnpg)
        .contains("in namespace payments.\n\n1. The pods write through service coffer-db-rw")
        .contains("read through coffer-db-ro")
        .contains("Secret \"coffer-db-app\"")
        .contains("get cluster coffer-db")
        .doesNotContain("create secret generic");
  }

  // --- refused values

  private static void refused(Map<String, Object> sets, String... messageParts) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("database.cloudnativepg.enabled", true);
    all.put("database.cloudnativepg.createCluster", true);
    all.putAll(sets);
    assertThatThrownBy(() -> CofferChart.render(all))
        .isInstanceOf(IllegalStateException.class)
        .message()
        .contains(messageParts);
  }

  @ParameterizedTest
  @CsvSource({
    "database.cloudnativepg.cluster.instances, 0, instances",
    "database.cloudnativepg.readService, rw, readService",
    "database.cloudnativepg.readService, any, readService",
    "database.cloudnativepg.clusterName, Coffer_DB, clusterName",
    "database.cloudnativepg.cluster.synchronous.method, all, method",
    "database.cloudnativepg.cluster.synchronous.number, 0, number",
    "database.cloudnativepg.cluster.synchronous.dataDurability, strict, dataDurability",
    "database.cloudnativepg.cluster.primaryUpdateMethod, recreate, primaryUpdateMethod",
    "database.cloudnativepg.cluster.backup.retentionPolicy, 30 days, retentionPolicy",
    "database.cloudnativepg.cluster.backup.walCompression, zip, walCompression",
    "database.cloudnativepg.cluster.backup.scheduledBackup.schedule, 0 3 * * *, schedule",
    "database.cloudnativepg.cluster.storage.size, 20GB, size",
  })
  void theSchemaRefusesWhatTheOperatorWouldNotTake(String key, String value, String named) {
    Object typed = value.matches("-?[0-9]+") ? Integer.valueOf(value) : value;
    refused(Map.of(key, typed), named);
  }

  @Test
  void backupsNeedADestinationAndCredentials() {
    refused(Map.of("database.cloudnativepg.cluster.backup.enabled", true), "destinationPath");
    refused(
        Map.of(
            "database.cloudnativepg.cluster.backup.enabled",
            true,
            "database.cloudnativepg.cluster.backup.destinationPath",
            "s3://b/coffer"),
        "secretName");
    refused(
        Map.of(
            "database.cloudnativepg.cluster.backup.enabled", true,
            "database.cloudnativepg.cluster.backup.destinationPath", "gs://b/coffer",
            "database.cloudnativepg.cluster.backup.s3Credentials.secretName", "s3"),
        "destinationPath");
  }

  @Test
  void boundsBetweenValuesAreCheckedByTheTemplate() {
    refused(
        Map.of("database.cloudnativepg.cluster.synchronous.number", 3),
        "synchronous.number (3) must be less than cluster.instances (3)");
    refused(
        Map.of(
            "database.cloudnativepg.cluster.instances",
            1,
            "database.cloudnativepg.cluster.synchronous.enabled",
            false),
        "readService ro needs a standby");
  }

  @Test
  void theChartsOwnVariablesCannotBeOverriddenThroughExtraEnv() {
    assertThatThrownBy(
            () ->
                CofferChart.render(
                    Map.of("extraEnv[0].name", "CNPG_APP_PASSWORD", "extraEnv[0].value", "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("extraEnv");
  }

  // --- helpers

  private static String hook(Rendered rendered) {
    return rendered.one(V1Job.class).getMetadata().getAnnotations().get("helm.sh/hook");
  }

  private static V1SecretKeySelector ref(Map<String, V1EnvVar> env, String name) {
    return env.get(name).getValueFrom().getSecretKeyRef();
  }

  private static Map<String, String> configMap(Rendered rendered) {
    return rendered.one(V1ConfigMap.class).getData();
  }

  private static Map<String, Object> map(Map<String, Object> from, String... path) {
    Map<String, Object> at = from;
    for (String key : path) {
      at = CustomResources.map(at.get(key));
    }
    return at;
  }
}
