package dev.coffer.api.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The same request, however its JSON is laid out, has one canonical form. */
class FingerprintTest {
  @Test
  void keyOrderAndSpacingDoNotMatter() {
    JsonObject a =
        new JsonObject("{\"b\": 1, \"a\": {\"y\": [1, {\"q\": 2, \"p\": 1}], \"x\": null}}");
    JsonObject b = new JsonObject("{\"a\":{\"x\":null,\"y\":[1,{\"p\":1,\"q\":2}]},\"b\":1}");
    assertThat(IdempotentRequests.canonical(a)).isEqualTo(IdempotentRequests.canonical(b));
    assertThat(IdempotentRequests.canonical(a))
        .isEqualTo("{\"a\":{\"x\":null,\"y\":[1,{\"p\":1,\"q\":2}]},\"b\":1}");
  }

  @Test
  void differentValuesOrArrayOrderDiffer() {
    assertThat(IdempotentRequests.canonical(new JsonObject("{\"a\":[1,2]}")))
        .isNotEqualTo(IdempotentRequests.canonical(new JsonObject("{\"a\":[2,1]}")));
    assertThat(IdempotentRequests.canonical(new JsonObject("{\"a\":1}")))
        .isNotEqualTo(IdempotentRequests.canonical(new JsonObject("{\"a\":\"1\"}")));
  }
}
