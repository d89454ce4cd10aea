package dev.coffer.api.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a grant allows, and what a key may pass on to a key it creates. */
class GrantTest {
  private static Grant grant(List<String> scopes, List<UUID> accounts, Instant expiry) {
    return Grant.of(
        scopes.stream().map(Scope::parse).toList(), accounts, UUID.randomUUID(), expiry);
  }

  @Test
  void writeCoversReadAndNothingElseIsGranted() {
    Grant g = grant(List.of("transfers:write", "accounts:read"), null, null);
    assertThat(g.allows(Scope.parse("transfers:read"))).isTrue();
    assertThat(g.allows(Scope.parse("transfers:write"))).isTrue();
    assertThat(g.allows(Scope.parse("accounts:write"))).isFalse();
    assertThat(g.allows(Scope.parse("webhooks:read"))).isFalse();
    assertThat(g.isSession()).isFalse();
    assertThat(Grant.FULL.allows(Scope.parse("api-keys:write"))).isTrue();
    assertThat(Scope.parse("accounts:none")).isNull();
    assertThat(Scope.parse("ledger:read")).isNull();
  }

  @Test
  void aKeyMayPassOnOnlyWhatItHas() {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    Instant end = Instant.now().plusSeconds(60);
    Grant parent = grant(List.of("accounts:read", "api-keys:write"), List.of(a), end);
    assertThat(parent.firstExcess(grant(List.of("accounts:read"), List.of(a), end))).isNull();
    assertThat(parent.firstExcess(grant(List.of("accounts:write"), List.of(a), end)))
        .isEqualTo("accounts:write");
    assertThat(parent.firstExcess(grant(List.of("accounts:read"), null, end)))
        .startsWith("every account");
    assertThat(parent.firstExcess(grant(List.of("accounts:read"), List.of(a, b), end)))
        .isEqualTo("account " + b);
    assertThat(parent.firstExcess(grant(List.of("accounts:read"), List.of(a), null)))
        .startsWith("an expiry");
    assertThat(parent.firstExcess(grant(List.of("accounts:read"), List.of(a), end.plusSeconds(1))))
        .startsWith("an expiry");
    assertThat(Grant.FULL.firstExcess(parent)).isNull();
    assertThat(parent.reaches(a)).isTrue();
    assertThat(parent.reaches(b)).isFalse();
  }
}
