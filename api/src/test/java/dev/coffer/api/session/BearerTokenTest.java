package dev.coffer.api.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.ratelimit.RateLimitPolicy;
import dev.coffer.api.ratelimit.SlidingWindowLimiter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reading {@code Authorization: Bearer <token>}. */
class BearerTokenTest {
  @Test
  void readsTheTokenOfABearerHeaderOnly() {
    assertThat(SessionAuthentication.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(SessionAuthentication.bearer("bearer   abc ")).isEqualTo("abc");
    assertThat(SessionAuthentication.bearer("Basic abc")).isNull();
    assertThat(SessionAuthentication.bearer("Bearer")).isNull();
    assertThat(SessionAuthentication.bearer("Bearer ")).isNull();
    assertThat(SessionAuthentication.bearer(null)).isNull();
  }

  @Test
  void redisSeesOnlyAHashOfThePlainToken() {
    String token = "a".repeat(43);
    assertThat(SessionStore.key(token))
        .doesNotContain(token)
        .matches("coffer:session:\\{[0-9a-f]{64}}");
  }

  @Test
  void aTaggedTokensSessionSharesItsUsersHashTag() {
    UUID user = UUID.fromString("01a20855-763a-7d6e-9479-43d445acd87b");
    ByteBuffer id = ByteBuffer.allocate(16);
    id.putLong(user.getMostSignificantBits()).putLong(user.getLeastSignificantBits());
    String secret = "b".repeat(43);
    String token =
        "u" + Base64.getUrlEncoder().withoutPadding().encodeToString(id.array()) + "." + secret;
    assertThat(SessionStore.key(token))
        .doesNotContain(secret)
        .matches("coffer:session:\\{u:" + user + "}:[0-9a-f]{64}");
    RateLimitPolicy reads =
        new RateLimitPolicy("reads", RateLimitPolicy.Scope.USER, 1, Duration.ofSeconds(1));
    assertThat(SlidingWindowLimiter.userKey(reads, user)).startsWith("coffer:rl:{u:" + user + "}:");
  }

  @Test
  void anythingElseIsNoTokenAtAll() {
    assertThat(SessionStore.key("some-token")).isNull();
    assertThat(SessionStore.key("u" + "A".repeat(21) + "." + "b".repeat(43))).isNull();
    assertThat(SessionStore.key(null)).isNull();
  }
}
