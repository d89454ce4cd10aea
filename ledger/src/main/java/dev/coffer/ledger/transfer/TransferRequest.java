package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerException;
import java.time.Duration;
import java.util.UUID;

/**
 * What a caller asks to move. For a deposit {@code from} is null, for a withdrawal {@code to}: the
 * settlement account takes that side. {@code pendingFor} is null for a posted transfer.
 */
public record TransferRequest(
    String kind, UUID from, UUID to, long amount, String description, Duration pendingFor) {
  public static final long MAX_AMOUNT = 1_000_000_000_000_000L;
  public static final Duration MAX_PENDING = Duration.ofDays(7);

  public TransferRequest {
    if (amount < 1 || amount > MAX_AMOUNT) {
      throw new LedgerException("validation", "amount must be between 1 and 10^15 minor units");
    }
    if (pendingFor != null
        && (pendingFor.compareTo(Duration.ofSeconds(1)) < 0
            || pendingFor.compareTo(MAX_PENDING) > 0)) {
      throw new LedgerException("validation", "expiresInSeconds must be between 1 and 604800");
    }
  }

  public static TransferRequest deposit(UUID account, long amount, String description) {
    return new TransferRequest("deposit", null, account, amount, description, null);
  }

  public static TransferRequest withdrawal(UUID account, long amount, String description) {
    return new TransferRequest("withdrawal", account, null, amount, description, null);
  }

  public static TransferRequest transfer(UUID from, UUID to, long amount, String description) {
    return new TransferRequest("transfer", from, to, amount, description, null);
  }

  public static TransferRequest pending(
      UUID from, UUID to, long amount, String description, Duration pendingFor) {
    return new TransferRequest("transfer", from, to, amount, description, pendingFor);
  }
}
