package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The small parsers the API relies on, without a server. */
class RequestParsingTest {
  @Test
  void jsonContentTypesAreUtf8Json() {
    assertThat(RequestValidation.isJson("application/json")).isTrue();
    assertThat(RequestValidation.isJson("Application/JSON; charset=UTF-8")).isTrue();
    assertThat(RequestValidation.isJson("application/json;charset=\"utf-8\"")).isTrue();
    assertThat(RequestValidation.isJson("application/json; charset=latin1")).isFalse();
    assertThat(RequestValidation.isJson("application/jsonp")).isFalse();
    assertThat(RequestValidation.isJson("text/json")).isFalse();
    assertThat(RequestValidation.isJson(null)).isFalse();
  }

  @Test
  void jsonPointersBecomeFieldPaths() {
    assertThat(RequestValidation.field("#")).isEmpty();
    assertThat(RequestValidation.field("#/amount")).isEqualTo("amount");
    assertThat(RequestValidation.field("#/transfers/3/amount")).isEqualTo("transfers[3].amount");
    assertThat(RequestValidation.field("/a~1b")).isEqualTo("a/b");
  }

  @Test
  void timesAreUtcWithMilliseconds() {
    OffsetDateTime time = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 6_789_000, ZoneOffset.ofHours(2));
    assertThat(ApiJson.time(time)).isEqualTo("2026-01-02T01:04:05.006Z");
    assertThat(ApiJson.time(null)).isNull();
  }

  @Test
  void unknownCodesAreInternalErrorsAndDatabaseCodesGetWords() {
    assertThat(Problem.of("no-such-code", "x").status()).isEqualTo(500);
    Problem funds = Problem.of("insufficient-funds", "insufficient-funds");
    assertThat(funds.status()).isEqualTo(422);
    assertThat(funds.detail()).isNotEqualTo("insufficient-funds");
  }
}
