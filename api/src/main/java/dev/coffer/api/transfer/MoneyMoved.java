package dev.coffer.api.transfer;

import dev.coffer.ledger.db.ConsistencyToken;
import java.util.Set;
import java.util.UUID;

/** Told, after a write has committed, which accounts it touched (the stream announces them). */
@FunctionalInterface
public interface MoneyMoved {
  MoneyMoved NOBODY = (accounts, token) -> {};

  void committed(Set<UUID> accounts, ConsistencyToken token);
}
