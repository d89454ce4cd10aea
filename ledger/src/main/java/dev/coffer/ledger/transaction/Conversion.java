package dev.coffer.ledger.transaction;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;

/**
 * What a conversion recorded: the rate (minor units of {@code toCurrency} per minor unit of {@code
 * fromCurrency}), both amounts, and the rounding: always down, {@code roundedOff} (under one minor
 * unit) is what it cut off.
 */
public record Conversion(
    BigDecimal rate,
    String fromCurrency,
    long fromAmount,
    String toCurrency,
    long toAmount,
    String rounding,
    BigDecimal roundedOff) {

  static Conversion from(JsonObject json) {
    if (json == null) {
      return null;
    }
    return new Conversion(
        new BigDecimal(json.getString("rate")),
        json.getString("fromCurrency"),
        json.getLong("fromAmount"),
        json.getString("toCurrency"),
        json.getLong("toAmount"),
        json.getString("rounding"),
        new BigDecimal(json.getString("roundedOff")));
  }
}
