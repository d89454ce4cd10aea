package dev.coffer.ledger.transaction;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits a transaction's total over its legs, exactly: legs with a fixed amount take it first; what
 * is left is shared among the legs given as a percent and the one leg (at most) given as the rest,
 * by the largest-remainder method: each share's exact quota is cut down to a whole minor unit, and
 * the units this leaves over go one each to the shares with the largest cut-off fractions (the
 * earlier leg first on a tie). The amounts always add up to the total: no unit is made or lost.
 * Without a rest leg the percents must add up to exactly 100; with one, the rest leg's quota is
 * what the percents leave. A share that comes to nothing is refused (a leg moves at least one
 * unit).
 */
public final class Split {
  /** A percent has at most four decimals: quotas are exact in millionths of the whole. */
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})(\\.\\d{1,4})?%");

  private static final BigInteger WHOLE = BigInteger.valueOf(1_000_000);

  private Split() {}

  /** How a leg's amount is given. */
  public sealed interface Share permits Fixed, Percent, Rest {}

  /** A fixed amount. */
  public record Fixed(long amount) implements Share {}

  /** A percent of what the fixed legs leave, in millionths of it (12.5% is 125000). */
  public record Percent(long millionths) implements Share {}

  /** What the fixed and percent legs leave. */
  public record Rest() implements Share {}

  /** A share as the contract writes it: {@code "12.5%"} or {@code "rest"}; null if neither. */
  public static Share parse(String share) {
    if ("rest".equals(share)) {
      return new Rest();
    }
    if (share == null || !PERCENT.matcher(share).matches()) {
      return null;
    }
    BigDecimal percent = new BigDecimal(share.substring(0, share.length() - 1));
    if (percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
      return null;
    }
    return new Percent(percent.movePointRight(4).longValueExact());
  }

  /** Each leg's amount, in order; refused (validation) when the shares cannot split the total. */
  public static long[] amounts(long total, List<Share> shares) {
    long[] amounts = new long[shares.size()];
    long fixed = 0;
    long percents = 0;
    int rests = 0;
    for (Share share : shares) {
      if (share instanceof Fixed f) {
        fixed = Math.addExact(fixed, f.amount());
      } else if (share instanceof Percent p) {
        percents += p.millionths();
      } else {
        rests++;
      }
    }
    if (rests > 1) {
      throw invalid("at most one leg takes the rest");
    }
    if (fixed > total) {
      throw invalid("the legs' fixed amounts exceed the transaction's amount");
    }
    if (percents > WHOLE.longValueExact()) {
      throw invalid("the legs' percents add up to more than 100%");
    }
    boolean shared = percents > 0 || rests > 0;
    if (!shared && fixed != total) {
      throw invalid("the legs' amounts must add up to the transaction's amount");
    }
    if (shared && rests == 0 && percents != WHOLE.longValueExact()) {
      throw invalid("without a rest leg, the legs' percents must add up to exactly 100%");
    }
    BigInteger left = BigInteger.valueOf(total - fixed);
    List<int[]> order = new ArrayList<>(); // the sharing legs' indexes, sorted by remainder below
    long[] remainders = new long[shares.size()];
    long given = 0;
    for (int i = 0; i < shares.size(); i++) {
      Share share = shares.get(i);
      long millionths;
      if (share instanceof Fixed f) {
        amounts[i] = f.amount();
        continue;
      } else if (share instanceof Percent p) {
        millionths = p.millionths();
      } else {
        millionths = WHOLE.longValueExact() - percents;
      }
      BigInteger[] quota = left.multiply(BigInteger.valueOf(millionths)).divideAndRemainder(WHOLE);
      amounts[i] = quota[0].longValueExact();
      remainders[i] = quota[1].longValueExact();
      given += amounts[i];
      order.add(new int[] {i});
    }
    long over = left.longValueExact() - given;
    order.sort(
        Comparator.<int[]>comparingLong(leg -> -remainders[leg[0]])
            .thenComparingInt(leg -> leg[0]));
    for (int k = 0; k < over; k++) {
      amounts[order.get(k)[0]]++;
    }
    for (int i = 0; i < amounts.length; i++) {
      if (amounts[i] < 1) {
        throw new LedgerException(
            LedgerError.VALIDATION,
            null,
            "legs[" + i + "]'s share of the transaction's amount comes to nothing",
            "legs[" + i + "]");
      }
    }
    return amounts;
  }

  private static LedgerException invalid(String message) {
    return new LedgerException(LedgerError.VALIDATION, message);
  }
}
