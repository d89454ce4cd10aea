package dev.coffer.api.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The key's form: what is issued parses back, and nothing made up or altered does. */
class ApiKeyTokensTest {
  private final ApiKeyTokens tokens =
      new ApiKeyTokens(
          "a service key of at least thirty-two characters".getBytes(StandardCharsets.UTF_8));

  @Test
  void anIssuedKeyParsesBackToItsUserKeyAndSecret() {
    UUID user = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    String key = tokens.issue(user, id);
    assertThat(key).startsWith("ck_live_").hasSize(103).matches(ApiKeyTokens.PATTERN.pattern());
    ApiKeyTokens.Parsed parsed = tokens.parse(key);
    assertThat(parsed.user()).isEqualTo(user);
    assertThat(parsed.keyId()).isEqualTo(id);
    assertThat(parsed.secret()).isEqualTo(key.substring(60)).hasSize(43);
    assertThat(ApiKeyTokens.publicPart(key)).isEqualTo(tokens.publicPart(user, id));
    // Two keys of the same ids never share a secret.
    assertThat(tokens.issue(user, id)).isNotEqualTo(key);
  }

  @Test
  void anAlteredOrForeignKeyIsRefusedByItsTagAlone() {
    String key = tokens.issue(UUID.randomUUID(), UUID.randomUUID());
    // Another user id with the same tag, another tag, another service's key.
    String otherUser = key.substring(0, 8) + (key.charAt(8) == 'A' ? 'B' : 'A') + key.substring(9);
    assertThat(tokens.parse(otherUser)).isNull();
    String otherTag = key.substring(0, 52) + "________" + key.substring(60);
    assertThat(tokens.parse(otherTag)).isNull();
    ApiKeyTokens elsewhere =
        new ApiKeyTokens(
            "another service's key, also long enough".getBytes(StandardCharsets.UTF_8));
    assertThat(elsewhere.parse(key)).isNull();
    assertThat(tokens.parse("ck_live_")).isNull();
    assertThat(tokens.parse(key + "x")).isNull();
    assertThat(tokens.parse(null)).isNull();
    // A different secret parses (only Redis knows it is wrong): its HMAC differs.
    String otherSecret = key.substring(0, 60) + "B".repeat(43);
    assertThat(tokens.parse(otherSecret)).isNotNull();
    assertThat(tokens.secretHmacHex(tokens.parse(otherSecret).secret()))
        .isNotEqualTo(tokens.secretHmacHex(tokens.parse(key).secret()));
  }
}
