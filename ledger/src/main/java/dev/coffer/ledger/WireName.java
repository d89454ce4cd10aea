package dev.coffer.ledger;

import java.util.Locale;

/**
 * The contract's and the database's name of an enum constant: its Java name in kebab case ({@code
 * ALREADY_POSTED} is {@code already-posted}), so the two spellings can never drift apart.
 */
public final class WireName {
  private WireName() {}

  /** The wire name of {@code constant}. */
  public static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant of {@code type} named {@code wire}, or null when none is. */
  public static <E extends Enum<E>> E parse(Class<E> type, String wire) {
    if (wire == null) {
      return null;
    }
    for (E constant : type.getEnumConstants()) {
      if (of(constant).equals(wire)) {
        return constant;
      }
    }
    return null;
  }
}
