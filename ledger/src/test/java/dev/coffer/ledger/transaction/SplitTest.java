package dev.coffer.ledger.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.transaction.Split.Fixed;
import dev.coffer.ledger.transaction.Split.Percent;
import dev.coffer.ledger.transaction.Split.Rest;
import dev.coffer.ledger.transaction.Split.Share;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The largest-remainder split: exact, fair to a unit, never a unit made or lost. */
class SplitTest {
  @Test
  void aThirdEachGivesTheLeftOverUnitToTheFirstLeg() {
    long[] amounts =
        Split.amounts(
            100, List.of(Split.parse("33.3333%"), Split.parse("33.3333%"), Split.parse("rest")));
    // Quotas 33.3333, 33.3333, 33.3334: floors 33, 33, 33 and the one unit left goes to the
    // largest fraction, the rest leg's .3334.
    assertThat(amounts).containsExactly(33, 33, 34);
    assertThat(Split.amounts(10, List.of(new Fixed(3), new Percent(500_000), new Rest())))
        .containsExactly(3, 4, 3); // 3.5 and 3.5 left: a tie goes to the earlier leg
  }

  @Test
  void sharesThatCannotSplitTheTotalAreRefused() {
    assertThatThrownBy(
            () -> Split.amounts(100, List.of(new Percent(500_000), new Percent(400_000))))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("exactly 100%");
    assertThatThrownBy(() -> Split.amounts(100, List.of(new Rest(), new Rest())))
        .hasMessageContaining("one leg");
    assertThatThrownBy(() -> Split.amounts(10, List.of(new Fixed(11), new Rest())))
        .hasMessageContaining("exceed");
    assertThatThrownBy(() -> Split.amounts(10, List.of(new Fixed(4), new Fixed(5))))
        .hasMessageContaining("add up");
    assertThatThrownBy(() -> Split.amounts(1, List.of(new Percent(500_000), new Rest())))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.pointer()).isEqualTo("legs[1]"));
    assertThat(Split.parse("0%")).isNull();
    assertThat(Split.parse("100.00001%")).isNull();
    assertThat(Split.parse("101%")).isNull();
    assertThat(Split.parse("12.5")).isNull();
    assertThat(Split.parse("left")).isNull();
    assertThat(Split.parse("12.5%")).isEqualTo(new Percent(125_000));
  }

  // Property: for random totals and shares, the amounts add up to the total exactly, each is
  // within one unit of its exact quota (below it by less than one, or above by less than one for
  // the legs given a left-over unit), and only the largest fractions get one.
  @Test
  void randomSplitsNeverMakeOrLoseAUnitAndStayWithinOneOfTheQuota() {
    Random random = new Random(29);
    for (int trial = 0; trial < 20_000; trial++) {
      long total =
          random.nextInt(4) == 0
              ? random.nextLong(1, 1_000_000_000_000_000L)
              : random.nextLong(1, 10_000);
      int legs = random.nextInt(1, 12);
      List<Share> shares = new ArrayList<>();
      long fixedSum = 0;
      long percentSum = 0;
      boolean rest = random.nextBoolean();
      for (int i = 0; i < legs; i++) {
        int kind = random.nextInt(3);
        if (kind == 0 && fixedSum < total / 2) {
          long fixed = random.nextLong(1, Math.max(2, total / (2L * legs)));
          shares.add(new Fixed(fixed));
          fixedSum += fixed;
        } else if (percentSum < 1_000_000) {
          long p = random.nextLong(1, 1_000_000 - percentSum + 1);
          shares.add(new Percent(p));
          percentSum += p;
        }
      }
      if (rest || percentSum == 0) {
        shares.add(random.nextInt(shares.size() + 1), new Rest());
      } else if (percentSum < 1_000_000) {
        shares.add(new Percent(1_000_000 - percentSum));
        percentSum = 1_000_000;
      }
      long[] amounts;
      try {
        amounts = Split.amounts(total, shares);
      } catch (LedgerException refused) {
        // Only a share that comes to nothing may be refused here: check that one does.
        assertThat(refused.pointer()).as("trial " + trial).isNotNull();
        continue;
      }
      assertThat(LongStream.of(amounts).sum()).as("trial " + trial).isEqualTo(total);
      BigInteger left = BigInteger.valueOf(total - fixedSum);
      long restShare =
          1_000_000
              - shares.stream()
                  .filter(s -> s instanceof Percent)
                  .mapToLong(s -> ((Percent) s).millionths())
                  .sum();
      for (int i = 0; i < shares.size(); i++) {
        Share share = shares.get(i);
        if (share instanceof Fixed f) {
          assertThat(amounts[i]).isEqualTo(f.amount());
          continue;
        }
        long millionths = share instanceof Percent p ? p.millionths() : restShare;
        BigInteger exact = left.multiply(BigInteger.valueOf(millionths));
        BigInteger floor = exact.divide(BigInteger.valueOf(1_000_000));
        assertThat(BigInteger.valueOf(amounts[i]).subtract(floor).longValueExact())
            .as("trial " + trial + " leg " + i)
            .isBetween(0L, 1L);
        assertThat(amounts[i]).isPositive();
      }
    }
  }
}
