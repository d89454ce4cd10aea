package dev.coffer.ledger.transaction;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.TransferRequest;
import java.util.Map;
import java.util.UUID;

/** One leg of a transaction: a transfer of {@code amount} from one account to another. */
public record Leg(
    UUID from, UUID to, long amount, String description, Map<String, String> metadata) {
  public Leg {
    if (from == null || to == null) {
      throw new LedgerException(LedgerError.VALIDATION, "a leg names both of its accounts");
    }
    if (amount < 1 || amount > TransferRequest.MAX_AMOUNT) {
      throw new LedgerException(
          LedgerError.VALIDATION, "a leg's amount must be between 1 and 10^15 minor units");
    }
    metadata = Metadata.checked(metadata);
  }
}
