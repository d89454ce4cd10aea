package dev.coffer.ledger;

/**
 * Why a reversal was refused with {@link LedgerError#TRANSFER_NOT_REVERSIBLE}: the caller is the
 * debited side (the payer cannot claw a payment back; only the payee refunds), the transfer is a
 * deposit, a withdrawal or itself a reversal, or it is not posted (pending, voided or expired).
 */
public enum ReversalRefusal implements Refusal {
  NOT_DESTINATION_OWNER,
  NOT_REVERSIBLE_KIND,
  NOT_POSTED;

  private final String code = WireName.of(this);

  @Override
  public String code() {
    return code;
  }

  /** The refusal named {@code code} (the database's error detail), or null. */
  public static ReversalRefusal ofCode(String code) {
    return WireName.parse(ReversalRefusal.class, code);
  }
}
