package dev.coffer.api.session;

import static org.assertj.core.api.Assertions.assertThat;

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
  void redisSeesOnlyAHashOfTheToken() {
    String key = SessionStore.key("some-token");
    assertThat(key).doesNotContain("some-token").matches("coffer:session:\\{[0-9a-f]{64}}");
  }
}
