package dev.coffer.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.db.TargetSession;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CofferConfigTest {
  @Test
  void defaultsPointAtTheLocalStack() {
    CofferConfig config = CofferConfig.from(Map.of());
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.database().primary().first().getPort()).isEqualTo(45432);
    assertThat(config.database().replica().first().getPort()).isEqualTo(45433);
    assertThat(config.database().replicaPipelining()).isEqualTo(8);
    assertThat(config.redis().nodes()).hasSize(3).allMatch(n -> n.startsWith("redis://127.0.0.1:"));
    assertThat(config.migrateOnStart()).isTrue();
  }

  @Test
  void streamSettingsHaveDefaultsAndBounds() {
    var stream = CofferConfig.from(Map.of()).stream();
    assertThat(stream.maxAccountsPerConnection()).isEqualTo(100);
    assertThat(stream.maxConnectionsPerUser()).isEqualTo(20);
    assertThat(stream.queueBytes()).isEqualTo(256 * 1024);
    assertThat(stream.heartbeat()).isEqualTo(java.time.Duration.ofSeconds(15));
    var set =
        CofferConfig.from(
            Map.of(
                "COFFER_STREAM_MAX_ACCOUNTS", "5",
                "COFFER_STREAM_QUEUE_BYTES", "8192",
                "COFFER_STREAM_RECONCILE_MS", "500"))
            .stream();
    assertThat(set.maxAccountsPerConnection()).isEqualTo(5);
    assertThat(set.queueBytes()).isEqualTo(8192);
    assertThat(set.reconcilePeriod()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_STREAM_QUEUE_BYTES", "10")))
        .hasMessageContaining("COFFER_STREAM_QUEUE_BYTES");
  }

  @Test
  void readsEveryVariable() {
    CofferConfig config =
        CofferConfig.from(
            Map.of(
                "COFFER_HTTP_PORT", "9090",
                "COFFER_PG_PRIMARY", "postgresql://u:p@db1:5000/ledger",
                "COFFER_PG_REPLICA", "postgresql://u:p@db2:5001/ledger",
                "COFFER_PG_PRIMARY_POOL_SIZE", "40",
                "COFFER_PG_REPLICA_PIPELINING", "3",
                "COFFER_REDIS_NODES", "redis://r1:7000, redis://r2:7001",
                "COFFER_MIGRATE_ON_START", "false",
                "COFFER_INSTANCE_ID", "coffer-a"));
    assertThat(config.http().port()).isEqualTo(9090);
    assertThat(config.database().primary().first().getHost()).isEqualTo("db1");
    assertThat(config.database().primary().first().getDatabase()).isEqualTo("ledger");
    assertThat(config.database().replica().first().getPort()).isEqualTo(5001);
    assertThat(config.database().primaryPoolSize()).isEqualTo(40);
    assertThat(config.database().replicaPipelining()).isEqualTo(3);
    assertThat(config.redis().nodes()).containsExactly("redis://r1:7000", "redis://r2:7001");
    assertThat(config.migrateOnStart()).isFalse();
    assertThat(config.instanceId()).isEqualTo("coffer-a");
  }

  @Test
  void databasesMayBeListsOfHostsThatFindTheirServerInTheRole() {
    CofferConfig config =
        CofferConfig.from(
            Map.of(
                "COFFER_PG_PRIMARY",
                "postgresql://u:p@n1:5432,n2:5432,n3:5432/coffer?target_session_attrs=read-write",
                "COFFER_PG_REPLICA",
                "postgresql://u:p@n1:5432,n2:5432,n3:5432/coffer?target_session_attrs=prefer-standby",
                "COFFER_PG_TCP_USER_TIMEOUT_MS",
                "4000"));
    assertThat(config.database().primary().describe()).isEqualTo("n1:5432,n2:5432,n3:5432");
    assertThat(config.database().primary().target()).isEqualTo(TargetSession.READ_WRITE);
    assertThat(config.database().replica().target()).isEqualTo(TargetSession.PREFER_STANDBY);
    assertThat(config.database().tcpUserTimeout()).hasMillis(4000);
    assertThat(CofferConfig.from(Map.of()).database().tcpUserTimeout()).hasSeconds(10);
    assertThatThrownBy(
            () ->
                CofferConfig.from(
                    Map.of(
                        "COFFER_PG_PRIMARY",
                        "postgresql://u@n1,n2/coffer?target_session_attrs=master")))
        .hasMessageContaining("COFFER_PG_PRIMARY");
  }

  @Test
  void aBadValueNamesItsVariable() {
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_HTTP_PORT", "eighty")))
        .hasMessageContaining("COFFER_HTTP_PORT");
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_HTTP_PORT", "70000")))
        .hasMessageContaining("between 1 and 65535");
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_REDIS_NODES", "r1:7000")))
        .hasMessageContaining("COFFER_REDIS_NODES");
  }

  @Test
  void aBadDatabaseUriIsNeverEchoedWithItsPassword() {
    assertThatThrownBy(
            () -> CofferConfig.from(Map.of("COFFER_PG_PRIMARY", "postgresql://u:s3cret@h:bad/db")))
        .hasMessageContaining("COFFER_PG_PRIMARY")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aMalformedRedisNodeStopsTheStartWithoutEchoingIt() {
    // Issue 27, finding 10: these passed the check and were echoed whole by the start-up's
    // failure, password and all.
    for (String nodes :
        List.of(
            "redis://:s3cret@127.0.0.1:notaport",
            "redis://:s3cret@127.0.0.1",
            "redis://:s3cret@127.0.0.1:99999",
            "redis://:s3cret@:6379",
            "redis://:s3cret@127.0.0.1:6379/x?y",
            "redis://127.0.0.1:6379, redis://:s3cret@bad host:6379",
            "rediss://:s3cret@127.0.0.1:6379",
            "s3cret")) {
      assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_REDIS_NODES", nodes)))
          .as(nodes)
          .hasMessageContaining("COFFER_REDIS_NODES")
          .hasMessageNotContaining("s3cret")
          .hasMessageNotContaining("127.0.0.1");
    }
    assertThat(
            CofferConfig.from(Map.of("COFFER_REDIS_NODES", "redis://:pw@r1:7000/0"))
                .redis()
                .nodes())
        .containsExactly("redis://:pw@r1:7000/0");
  }

  @Test
  void rateLimitPoliciesAreReadAsLimitPerSeconds() {
    CofferConfig config = CofferConfig.from(Map.of("COFFER_RATE_LIMIT_LOGIN_EMAIL", "5/300"));
    var policy = config.rateLimits().policies().get("login-email");
    assertThat(policy.limit()).isEqualTo(5);
    assertThat(policy.window()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(policy.header()).isEqualTo("\"login-email\";q=5;w=300");
    assertThat(config.rateLimits().policies())
        .containsKeys("anonymous", "login-ip", "account-creation", "money", "reads");
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_RATE_LIMIT_MONEY", "lots")))
        .hasMessageContaining("COFFER_RATE_LIMIT_MONEY");
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_RATE_LIMIT_MONEY", "0/60")))
        .hasMessageContaining("COFFER_RATE_LIMIT_MONEY");
    assertThatThrownBy(() -> CofferConfig.from(Map.of("COFFER_TRUSTED_PROXIES", "10.0.0.0/99")))
        .hasMessageContaining("COFFER_TRUSTED_PROXIES");
  }

  @Test
  void connectionLimitsHaveSafeDefaultsAndAreBounded() {
    HttpSettings defaults = CofferConfig.from(Map.of()).http();
    assertThat(defaults.maxConnections()).isEqualTo(10_000);
    assertThat(defaults.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(75));
    assertThat(defaults.headerTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(defaults.bodyTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(defaults.h2c()).isFalse();
    assertThat(defaults.nativeTransport()).isTrue();

    HttpSettings set =
        CofferConfig.from(
                Map.of(
                    "COFFER_HTTP_MAX_CONNECTIONS", "50",
                    "COFFER_HTTP_IDLE_TIMEOUT_MS", "2000",
                    "COFFER_HTTP_HEADER_TIMEOUT_MS", "500",
                    "COFFER_HTTP_BODY_TIMEOUT_MS", "700",
                    "COFFER_HTTP_H2C", "true",
                    "COFFER_NATIVE_TRANSPORT", "false"))
            .http();
    assertThat(set.maxConnections()).isEqualTo(50);
    assertThat(set.idleTimeout().toMillis()).isEqualTo(2000);
    assertThat(set.headerTimeout().toMillis()).isEqualTo(500);
    assertThat(set.bodyTimeout().toMillis()).isEqualTo(700);
    assertThat(set.h2c()).isTrue();
    assertThat(set.nativeTransport()).isFalse();

    for (String[] bad :
        new String[][] {
          {"COFFER_HTTP_MAX_CONNECTIONS", "0"},
          {"COFFER_HTTP_IDLE_TIMEOUT_MS", "10"},
          {"COFFER_HTTP_HEADER_TIMEOUT_MS", "0"},
          {"COFFER_HTTP_BODY_TIMEOUT_MS", "soon"},
          {"COFFER_HTTP_H2C", "maybe"},
          {"COFFER_NATIVE_TRANSPORT", "epoll"}
        }) {
      assertThatThrownBy(() -> CofferConfig.from(Map.of(bad[0], bad[1])))
          .hasMessageContaining(bad[0]);
    }
  }
}
