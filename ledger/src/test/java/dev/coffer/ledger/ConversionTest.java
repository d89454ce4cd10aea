package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.transaction.ConversionRequest;
import dev.coffer.ledger.transaction.Transaction;
import dev.coffer.ledger.transaction.TransactionService;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferKind;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conversions between currencies (issue 30, item 3): through each currency's liquidity account, so
 * each currency stays balanced on its own, rounding down, never making money.
 */
@ExtendWith(LedgerExtension.class)
class ConversionTest {
  private LedgerFixture ledger;
  private TransactionService transactions;
  private UUID owner;
  private UUID eur;
  private UUID usd;

  @BeforeEach
  void setUp(LedgerFixture ledger) {
    this.ledger = ledger;
    transactions = new TransactionService(ledger.writes, ledger.reads);
    owner = ledger.newUser();
    eur = ledger.openAccount(owner, "EUR", 0);
    usd = ledger.openAccount(owner, "USD", 0);
    ledger.deposit(owner, eur, 1_000_000);
  }

  @AfterEach
  void tearDown() {
    // Among the invariants: every currency's balances sum to zero, liquidity accounts included.
    ledger.assertInvariants();
  }

  @Test
  void aConversionSellsOneCurrencyAndBuysTheOtherRoundingDown() {
    Transaction t = await(transactions.convert(owner, request(eur, usd, 1_001, "1.0834"))).value();
    // 1,001 x 1.0834 = 1,084.4834: 1,084 cents, 0.4834 cut off.
    assertThat(t.conversion().toAmount()).isEqualTo(1_084);
    assertThat(t.conversion().fromAmount()).isEqualTo(1_001);
    assertThat(t.conversion().roundedOff()).isEqualByComparingTo("0.4834");
    assertThat(t.conversion().rounding()).isEqualTo("down");
    assertThat(t.legs())
        .extracting(Transfer::kind)
        .containsExactly(TransferKind.WITHDRAWAL, TransferKind.DEPOSIT);
    assertThat(t.legs()).extracting(Transfer::currency).containsExactly("EUR", "USD");
    assertThat(t.legs())
        .extracting(Transfer::description)
        .containsOnly("conversion EUR to USD at 1.0834");
    assertThat(balance(eur)).isEqualTo(1_000_000 - 1_001);
    assertThat(balance(usd)).isEqualTo(1_084);
    assertThat(await(transactions.get(owner, t.id(), ConsistencyToken.LATEST)).conversion())
        .isEqualTo(t.conversion());
  }

  @Test
  void conversionsAreRefusedAsMovesAre() {
    UUID stranger = ledger.openAccount(ledger.newUser(), "USD", 0);
    UUID eur2 = ledger.openAccount(owner, "EUR", 0);
    assertThatThrownBy(() -> await(transactions.convert(owner, request(eur, stranger, 10, "1.1"))))
        .satisfies(e -> assertThat(((LedgerException) e).code()).isEqualTo("not-found"));
    assertThatThrownBy(() -> await(transactions.convert(owner, request(eur, eur2, 10, "1.1"))))
        .satisfies(e -> assertThat(((LedgerException) e).code()).isEqualTo("currency-mismatch"));
    assertThatThrownBy(() -> await(transactions.convert(owner, request(usd, eur, 10, "1.1"))))
        .satisfies(e -> assertThat(((LedgerException) e).code()).isEqualTo("insufficient-funds"));
    assertThatThrownBy(() -> await(transactions.convert(owner, request(eur, usd, 1, "0.5"))))
        .satisfies(e -> assertThat(((LedgerException) e).code()).isEqualTo("validation"));
    assertThatThrownBy(() -> request(eur, usd, 1, "-1")).isInstanceOf(LedgerException.class);
    assertThat(balance(usd)).isZero();
    ledger.query("UPDATE accounts SET closed_at = now() WHERE id = '" + usd + "'");
    try {
      assertThatThrownBy(() -> await(transactions.convert(owner, request(eur, usd, 10, "1.1"))))
          .satisfies(e -> assertThat(((LedgerException) e).code()).isEqualTo("account-closed"));
    } finally {
      ledger.query("UPDATE accounts SET closed_at = NULL WHERE id = '" + usd + "'");
    }
  }

  // Random rates and amounts, some at once from 16 clients on one account: each converted
  // amount is exactly floor(amount x rate), the account never goes below zero, and (tearDown)
  // each currency still sums to zero.
  @Test
  void randomConversionsConserveEachCurrencyAndNeverOverdraw() {
    Random random = new Random(30);
    List<ConversionRequest> asked = new ArrayList<>();
    List<Future<?>> answers = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      long amount = 1 + random.nextInt(60_000);
      BigDecimal rate =
          BigDecimal.valueOf(random.nextLong(1, 5_000_000_000L), 9)
              .setScale(9, RoundingMode.UNNECESSARY);
      ConversionRequest request =
          random.nextBoolean()
              ? request(eur, usd, amount, rate.toPlainString())
              : request(usd, eur, amount, rate.toPlainString());
      asked.add(request);
      answers.add(transactions.convert(owner, request));
    }
    await(Future.join(answers).otherwiseEmpty());
    for (int i = 0; i < answers.size(); i++) {
      Future<?> answer = answers.get(i);
      ConversionRequest request = asked.get(i);
      BigDecimal exact = request.rate().multiply(BigDecimal.valueOf(request.amount()));
      if (answer.succeeded()) {
        Transaction t = (Transaction) ((dev.coffer.ledger.db.Committed<?>) answer.result()).value();
        assertThat(t.conversion().toAmount())
            .isEqualTo(exact.setScale(0, RoundingMode.FLOOR).longValueExact());
        assertThat(t.conversion().roundedOff()).isBetween(BigDecimal.ZERO, BigDecimal.ONE);
      } else {
        String code = ((LedgerException) answer.cause()).code();
        assertThat(code).isIn("insufficient-funds", "validation");
      }
    }
    assertThat(balance(eur)).isNotNegative();
    assertThat(balance(usd)).isNotNegative();
  }

  private ConversionRequest request(UUID from, UUID to, long amount, String rate) {
    return new ConversionRequest(from, to, amount, new BigDecimal(rate), null, Map.of());
  }

  private long balance(UUID account) {
    return await(ledger.accounts.get(owner, account, ConsistencyToken.LATEST)).balance();
  }
}
