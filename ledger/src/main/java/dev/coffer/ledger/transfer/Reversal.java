package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import java.util.Map;
import java.util.UUID;

/**
 * What a payee asks to give back of a posted transfer: {@code amount} (null: all that is left of
 * it), as a new transfer in the opposite direction.
 */
public record Reversal(
    UUID original, Long amount, String description, Map<String, String> metadata) {

  public Reversal {
    if (amount != null && (amount < 1 || amount > TransferRequest.MAX_AMOUNT)) {
      throw new LedgerException(
          LedgerError.VALIDATION, "amount must be between 1 and 10^15 minor units");
    }
    metadata = Metadata.checked(metadata);
  }
}
