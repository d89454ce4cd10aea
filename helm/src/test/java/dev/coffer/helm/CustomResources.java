package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus Operator's and CloudNativePG's kinds are not in client-java-api: their fields are
 * checked here against the parts of monitoring.coreos.com/v1 and postgresql.cnpg.io/v1 the chart
 * uses, just as strictly (no unknown key, required ones present, enums and types as the CRDs have
 * them). The CloudNativePG sets were taken from its CRDs (config/crd/bases, 1.25 to 1.30).
 */
final class CustomResources {
  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA = Set.of("name", "labels", "annotations");
  private static final Set<String> SERVICE_MONITOR_SPEC = Set.of("selector", "endpoints");
  private static final Set<String> ENDPOINT = Set.of("port", "path", "interval", "scrapeTimeout");
  private static final Set<String> GROUP = Set.of("name", "rules");
  private static final Set<String> ALERT = Set.of("alert", "expr", "for", "labels", "annotations");
  private static final Set<String> RECORD = Set.of("record", "expr", "labels");

  private static final Set<String> CLUSTER_SPEC =
      Set.of(
          "instances",
          "imageName",
          "primaryUpdateStrategy",
          "primaryUpdateMethod",
          "postgresql",
          "bootstrap",
          "storage",
          "resources",
          "monitoring",
          "backup");
  private static final Set<String> SYNCHRONOUS = Set.of("method", "number", "dataDurability");
  private static final Set<String> BARMAN =
      Set.of("destinationPath", "endpointURL", "s3Credentials", "wal", "data");
  private static final Set<String> SECRET_KEY = Set.of("name", "key");
  private static final Set<String> SCHEDULED_BACKUP_SPEC =
      Set.of("schedule", "immediate", "cluster", "method", "backupOwnerReference");

  private CustomResources() {}

  static void check(String kind, Map<String, Object> doc) {
    keys(kind, doc, TOP, TOP);
    keys(kind + ".metadata", map(doc.get("metadata")), METADATA, Set.of("name"));
    Map<String, Object> spec = map(doc.get("spec"));
    if (kind.equals("Cluster")) {
      checkCluster(spec);
    } else if (kind.equals("ScheduledBackup")) {
      keys("ScheduledBackup.spec", spec, SCHEDULED_BACKUP_SPEC, Set.of("schedule", "cluster"));
      keys(
          "ScheduledBackup.spec.cluster", map(spec.get("cluster")), Set.of("name"), Set.of("name"));
      // CloudNativePG's cron has a seconds field first: six fields, not a CronJob's five.
      assertThat(((String) spec.get("schedule")).split(" ")).hasSize(6);
      assertThat(spec.get("method")).isIn("barmanObjectStore", "volumeSnapshot", "plugin");
      assertThat(spec.get("backupOwnerReference")).isIn(null, "none", "self", "cluster");
      assertThat(spec.get("immediate")).isInstanceOf(Boolean.class);
    } else if (kind.equals("ServiceMonitor")) {
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
          if (map(rule).containsKey("record")) {
            keys("recording rule", map(rule), RECORD, Set.of("record", "expr"));
          } else {
            keys("alerting rule", map(rule), ALERT, Set.of("alert", "expr"));
          }
          assertThat(map(rule).get("expr")).isInstanceOf(String.class);
        }
      }
    }
  }

  private static void checkCluster(Map<String, Object> spec) {
    keys("Cluster.spec", spec, CLUSTER_SPEC, Set.of("instances"));
    assertThat(spec.get("instances")).isInstanceOf(Integer.class);
    assertThat(spec.get("primaryUpdateStrategy")).isIn(null, "unsupervised", "supervised");
    assertThat(spec.get("primaryUpdateMethod")).isIn(null, "switchover", "restart");
    Map<String, Object> postgresql = map(spec.get("postgresql"));
    keys("Cluster.spec.postgresql", postgresql, Set.of("parameters", "synchronous"), Set.of());
    if (postgresql.containsKey("parameters")) {
      assertThat(map(postgresql.get("parameters")).values())
          .as("postgresql.conf parameters are strings")
          .allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
    }
    if (postgresql.containsKey("synchronous")) {
      Map<String, Object> sync = map(postgresql.get("synchronous"));
      keys("Cluster.spec.postgresql.synchronous", sync, SYNCHRONOUS, Set.of("method", "number"));
      assertThat(sync.get("method")).isIn("any", "first");
      assertThat(sync.get("number")).isInstanceOf(Integer.class);
      assertThat(sync.get("dataDurability")).isIn(null, "required", "preferred");
    }
    Map<String, Object> bootstrap = map(spec.get("bootstrap"));
    keys("Cluster.spec.bootstrap", bootstrap, Set.of("initdb"), Set.of("initdb"));
    keys(
        "Cluster.spec.bootstrap.initdb",
        map(bootstrap.get("initdb")),
        Set.of("database", "owner"),
        Set.of("database", "owner"));
    keys(
        "Cluster.spec.storage", map(spec.get("storage")), Set.of("size", "storageClass"), Set.of());
    if (spec.containsKey("resources")) {
      Rendered.resources(spec.get("resources"));
    }
    keys(
        "Cluster.spec.monitoring",
        map(spec.get("monitoring")),
        Set.of("enablePodMonitor"),
        Set.of());
    if (spec.containsKey("backup")) {
      Map<String, Object> backup = map(spec.get("backup"));
      keys(
          "Cluster.spec.backup",
          backup,
          Set.of("retentionPolicy", "barmanObjectStore"),
          Set.of("barmanObjectStore"));
      assertThat((String) backup.get("retentionPolicy")).matches("[1-9][0-9]*[dwm]");
      Map<String, Object> barman = map(backup.get("barmanObjectStore"));
      keys("barmanObjectStore", barman, BARMAN, Set.of("destinationPath"));
      Map<String, Object> s3 = map(barman.get("s3Credentials"));
      keys(
          "barmanObjectStore.s3Credentials",
          s3,
          Set.of("accessKeyId", "secretAccessKey", "region"),
          Set.of("accessKeyId", "secretAccessKey"));
      for (Object ref : s3.values()) {
        keys("s3Credentials key reference", map(ref), SECRET_KEY, SECRET_KEY);
      }
      Map<String, Object> wal = map(barman.get("wal"));
      keys("barmanObjectStore.wal", wal, Set.of("compression", "maxParallel"), Set.of());
      assertThat(wal.get("compression")).isIn("bzip2", "gzip", "lz4", "snappy", "xz", "zstd");
      Map<String, Object> data = map(barman.get("data"));
      keys("barmanObjectStore.data", data, Set.of("compression"), Set.of());
      assertThat(data.get("compression")).isIn("bzip2", "gzip", "lz4", "snappy");
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
