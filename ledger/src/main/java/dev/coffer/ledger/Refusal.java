package dev.coffer.ledger;

/** Why a rule refused, narrowing its code's family: the contract's {@code reason}. */
public interface Refusal {
  /** The reason as the contract writes it, e.g. {@code already-voided}. */
  String code();
}
