package dev.coffer.ledger.transaction;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.Terms;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a caller asks to book as one transaction: 2 to {@link #MAX_LEGS} legs, all or none, with
 * terms ({@link Terms#NONE} for none) that may back-date it or hold it to versions and conditions
 * of the accounts of its legs (never balancing: a leg's amount is fixed).
 */
public record TransactionRequest(
    List<Leg> legs, String description, Map<String, String> metadata, Terms terms) {
  public static final int MAX_LEGS = 100;

  public TransactionRequest {
    legs = List.copyOf(legs);
    if (legs.size() < 2 || legs.size() > MAX_LEGS) {
      throw new LedgerException(
          LedgerError.VALIDATION, "a transaction holds 2 to " + MAX_LEGS + " legs");
    }
    metadata = Metadata.checked(metadata);
    terms = terms == null ? Terms.NONE : terms;
    if (terms.balancing()) {
      throw new LedgerException(
          LedgerError.VALIDATION, "a transaction's legs have fixed amounts: it cannot balance");
    }
    Set<UUID> accounts = new HashSet<>();
    for (Leg leg : legs) {
      accounts.add(leg.from());
      accounts.add(leg.to());
    }
    terms.checkNames(accounts);
  }
}
