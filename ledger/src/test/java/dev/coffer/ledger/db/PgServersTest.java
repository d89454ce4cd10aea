package dev.coffer.ledger.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** libpq's multi-host URIs, as COFFER_PG_PRIMARY and COFFER_PG_REPLICA accept them. */
class PgServersTest {
  @Test
  void oneHostWithoutATargetIsUsedAsItIs() {
    PgServers servers = PgServers.fromUri("postgresql://u:p@db1:5001/ledger");
    assertThat(servers.hosts()).hasSize(1);
    assertThat(servers.target()).isEqualTo(TargetSession.ANY);
    assertThat(servers.needsLocating()).isFalse();
    assertThat(servers.first().getHost()).isEqualTo("db1");
    assertThat(servers.first().getPort()).isEqualTo(5001);
    assertThat(servers.first().getUser()).isEqualTo("u");
    assertThat(servers.first().getPassword()).isEqualTo("p");
    assertThat(servers.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5001/ledger");
  }

  @Test
  void severalHostsShareTheUserDatabaseAndOtherParameters() {
    PgServers servers =
        PgServers.fromUri(
            "postgresql://coffer:s3cret@h1:5432,h2:5433,h3:5434/coffer"
                + "?target_session_attrs=read-write&application_name=coffer");
    assertThat(servers.describe()).isEqualTo("h1:5432,h2:5433,h3:5434");
    assertThat(servers.target()).isEqualTo(TargetSession.READ_WRITE);
    assertThat(servers.needsLocating()).isTrue();
    assertThat(servers.hosts())
        .allSatisfy(
            host -> {
              assertThat(host.getUser()).isEqualTo("coffer");
              assertThat(host.getPassword()).isEqualTo("s3cret");
              assertThat(host.getDatabase()).isEqualTo("coffer");
              // Sent to the server as a setting: target_session_attrs must not be among them.
              assertThat(host.getProperties())
                  .containsEntry("application_name", "coffer")
                  .doesNotContainKey("target_session_attrs");
            });
    assertThat(servers.jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:5432,h2:5433,h3:5434/coffer?targetServerType=primary");
  }

  @Test
  void migrationsAskForTlsWhenTheUriDoes() {
    assertThat(PgServers.fromUri("postgresql://u@h1:1,h2:2/db?sslmode=require").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:1,h2:2/db?sslmode=require");
    assertThat(
            PgServers.fromUri(
                    "postgresql://u@h1:1/db?target_session_attrs=primary&sslmode=verify-full")
                .jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:1/db?targetServerType=primary&sslmode=verify-full");
  }

  @Test
  void everyTargetOfLibpqIsUnderstood() {
    assertThat(target("any")).isEqualTo(TargetSession.ANY);
    assertThat(target("read-write")).isEqualTo(TargetSession.READ_WRITE);
    assertThat(target("read-only")).isEqualTo(TargetSession.READ_ONLY);
    assertThat(target("primary")).isEqualTo(TargetSession.PRIMARY);
    assertThat(target("standby")).isEqualTo(TargetSession.STANDBY);
    assertThat(target("prefer-standby")).isEqualTo(TargetSession.PREFER_STANDBY);
    // A single host with a role to check is probed too (a Kubernetes service in front, say).
    assertThat(
            PgServers.fromUri("postgresql://u@h/db?target_session_attrs=standby").needsLocating())
        .isTrue();
  }

  @Test
  void malformedListsAndTargetsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> target("writable"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target_session_attrs");
    assertThatThrownBy(() -> PgServers.fromUri("postgresql://u@h1:1,,h2:2/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty host");
    assertThatThrownBy(() -> PgServers.fromUri("h1:5432/db"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TargetSession target(String value) {
    return PgServers.fromUri("postgresql://u@h1:1,h2:2/db?target_session_attrs=" + value).target();
  }
}
