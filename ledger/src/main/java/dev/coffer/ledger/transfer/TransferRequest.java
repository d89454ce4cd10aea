package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a caller asks to move. For a deposit {@code from} is null, for a withdrawal {@code to}: the
 * settlement account takes that side. {@code pendingFor} is null for a posted transfer; {@code
 * metadata} is empty when there is none; {@code terms} ({@link Terms#NONE} for none) may make the
 * move balancing (then {@code amount} is the most it moves), back-dated or conditional.
 */
public record TransferRequest(
    TransferKind kind,
    UUID from,
    UUID to,
    long amount,
    String description,
    Duration pendingFor,
    Map<String, String> metadata,
    Terms terms) {
  public static final long MAX_AMOUNT = 1_000_000_000_000_000L;
  public static final Duration MAX_PENDING = Duration.ofDays(7);

  public TransferRequest {
    if (amount < 1 || amount > MAX_AMOUNT) {
      throw new LedgerException(
          LedgerError.VALIDATION, "amount must be between 1 and 10^15 minor units");
    }
    if (pendingFor != null
        && (pendingFor.compareTo(Duration.ofSeconds(1)) < 0
            || pendingFor.compareTo(MAX_PENDING) > 0)) {
      throw new LedgerException(
          LedgerError.VALIDATION, "expiresInSeconds must be between 1 and 604800");
    }
    metadata = Metadata.checked(metadata);
    terms = terms == null ? Terms.NONE : terms;
    if (terms.balancing() && kind == TransferKind.DEPOSIT) {
      throw new LedgerException(
          LedgerError.VALIDATION, "a deposit cannot be balancing: it has no payer to sweep");
    }
    if (terms.effectiveAt() != null && pendingFor != null) {
      throw new LedgerException(
          LedgerError.VALIDATION, "effectiveAt applies to posted moves only, not to a hold");
    }
    List<UUID> ends = new ArrayList<>(2);
    if (from != null) {
      ends.add(from);
    }
    if (to != null) {
      ends.add(to);
    }
    terms.checkNames(ends);
  }

  public TransferRequest(
      TransferKind kind,
      UUID from,
      UUID to,
      long amount,
      String description,
      Duration pendingFor,
      Map<String, String> metadata) {
    this(kind, from, to, amount, description, pendingFor, metadata, Terms.NONE);
  }

  public TransferRequest(
      TransferKind kind, UUID from, UUID to, long amount, String description, Duration pendingFor) {
    this(kind, from, to, amount, description, pendingFor, Map.of());
  }

  /** This request with {@code metadata}. */
  public TransferRequest withMetadata(Map<String, String> metadata) {
    return new TransferRequest(kind, from, to, amount, description, pendingFor, metadata, terms);
  }

  /** This request with {@code terms}. */
  public TransferRequest withTerms(Terms terms) {
    return new TransferRequest(kind, from, to, amount, description, pendingFor, metadata, terms);
  }

  public static TransferRequest deposit(UUID account, long amount, String description) {
    return new TransferRequest(TransferKind.DEPOSIT, null, account, amount, description, null);
  }

  public static TransferRequest withdrawal(UUID account, long amount, String description) {
    return new TransferRequest(TransferKind.WITHDRAWAL, account, null, amount, description, null);
  }

  public static TransferRequest transfer(UUID from, UUID to, long amount, String description) {
    return new TransferRequest(TransferKind.TRANSFER, from, to, amount, description, null);
  }

  public static TransferRequest pending(
      UUID from, UUID to, long amount, String description, Duration pendingFor) {
    return new TransferRequest(TransferKind.TRANSFER, from, to, amount, description, pendingFor);
  }
}
