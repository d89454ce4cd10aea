package dev.coffer.ledger;

import java.util.Arrays;

/**
 * Why a post or void was refused with {@link LedgerError#TRANSFER_NOT_PENDING}, in TigerBeetle's
 * words: the transfer was already posted, already voided, or expired; or the caller is the credited
 * side, who may see a pending transfer but not settle it.
 */
public enum SettleRefusal {
  ALREADY_POSTED("already-posted"),
  ALREADY_VOIDED("already-voided"),
  EXPIRED("expired"),
  NOT_SOURCE_OWNER("not-source-owner");

  private final String code;

  SettleRefusal(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** The refusal named {@code code} (the database's error detail), or null. */
  public static SettleRefusal ofCode(String code) {
    return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst().orElse(null);
  }
}
