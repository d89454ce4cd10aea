package dev.coffer.ledger.transaction;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.TransferRequest;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

/**
 * Converts {@code amount} (minor units of {@code from}'s currency) into {@code to}'s currency at
 * {@code rate}, minor units for minor units (so 1 EUR = 1.0834 USD is 1.0834 between cents): a
 * positive decimal of at most 12 places, at most {@link #MAX_RATE}.
 */
public record ConversionRequest(
    UUID from,
    UUID to,
    long amount,
    BigDecimal rate,
    String description,
    Map<String, String> metadata) {
  public static final BigDecimal MAX_RATE = BigDecimal.valueOf(1_000_000_000L);

  public ConversionRequest {
    if (amount < 1 || amount > TransferRequest.MAX_AMOUNT) {
      throw invalid("amount must be between 1 and 10^15 minor units");
    }
    if (rate == null
        || rate.signum() <= 0
        || rate.compareTo(MAX_RATE) > 0
        || rate.stripTrailingZeros().scale() > 12) {
      throw invalid("rate must be a positive decimal of at most 12 places, at most 10^9");
    }
    metadata = Metadata.checked(metadata);
  }

  private static LedgerException invalid(String message) {
    return new LedgerException(LedgerError.VALIDATION, message);
  }
}
