package dev.coffer.ledger;

/**
 * Why a post or void was refused with {@link LedgerError#TRANSFER_NOT_PENDING}, in TigerBeetle's
 * words: the transfer was already posted, already voided, or expired; or the caller is the credited
 * side, who may see a pending transfer but not settle it.
 */
public enum SettleRefusal implements Refusal {
  ALREADY_POSTED,
  ALREADY_VOIDED,
  EXPIRED,
  NOT_SOURCE_OWNER;

  private final String code = WireName.of(this);

  /** The reason as the contract writes it, e.g. {@code already-voided}. */
  @Override
  public String code() {
    return code;
  }

  /** The refusal named {@code code} (the database's error detail), or null. */
  public static SettleRefusal ofCode(String code) {
    return WireName.parse(SettleRefusal.class, code);
  }
}
