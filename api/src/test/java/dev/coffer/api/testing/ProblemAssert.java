package dev.coffer.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Asserts that a response is the contract's problem+json. */
public final class ProblemAssert {
  private ProblemAssert() {}

  /** {@code reply} is an RFC 9457 problem with {@code status} and {@code code}. */
  public static void assertProblem(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(reply.json().getString("code")).as(reply.toString()).isEqualTo(code);
    assertThat(reply.json().getInteger("status")).isEqualTo(status);
    assertThat(reply.json().getString("type")).isEqualTo("urn:coffer:problem:" + code);
    assertThat(reply.json().getString("title")).isNotBlank();
    assertThat(reply.json().getString("detail")).isNotBlank();
    assertThat(reply.text()).doesNotContain("Exception").doesNotContain("<html");
  }
}
