package dev.coffer.ledger.balance;

import dev.coffer.ledger.WireName;

/** Which time a balance as of a moment goes by: when moves were booked, or when they count. */
public enum TimeBasis {
  /** When each move was booked (the journal's order). */
  BOOKED,
  /** When each move is effective: a back-dated move counts from its effectiveAt. */
  EFFECTIVE;

  public String wire() {
    return WireName.of(this);
  }

  /** The basis named {@code wire}, or null. */
  public static TimeBasis of(String wire) {
    return WireName.parse(TimeBasis.class, wire);
  }
}
