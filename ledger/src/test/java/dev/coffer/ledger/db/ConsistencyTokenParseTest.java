package dev.coffer.ledger.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsistencyTokenParseTest {

  @Test
  void sixteenLowercaseHexDigitsParseAndAnythingElseIsEmpty() {
    assertThat(ConsistencyToken.parse("00000001000000a0"))
        .contains(new ConsistencyToken(0x1000000a0L));
    assertThat(ConsistencyToken.parse("ffffffffffffffff")).contains(new ConsistencyToken(-1L));
    assertThat(ConsistencyToken.parse("0123456789abcdef"))
        .contains(new ConsistencyToken(0x0123456789abcdefL));
    for (String malformed :
        new String[] {
          null,
          "",
          "0123456789abcde",
          "0123456789abcdef0",
          "0123456789ABCDEF",
          "0123456789abcdeg",
          " 123456789abcdef",
          "0123456789abcde/",
          "0123456789abcde:",
          "0123456789abcde`",
          "-123456789abcdef",
          "0x23456789abcdef",
          "٠123456789abcdef"
        }) {
      assertThat(ConsistencyToken.parse(malformed)).as("%s", malformed).isEmpty();
    }
  }
}
