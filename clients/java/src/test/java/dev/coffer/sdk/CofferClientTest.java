package dev.coffer.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coffer.sdk.model.Account;
import dev.coffer.sdk.model.ApiKeyScope;
import dev.coffer.sdk.model.BalancingAmount;
import dev.coffer.sdk.model.CreatedApiKey;
import dev.coffer.sdk.model.EntryPage;
import dev.coffer.sdk.model.NewAccount;
import dev.coffer.sdk.model.NewApiKey;
import dev.coffer.sdk.model.NewDeposit;
import dev.coffer.sdk.model.NewTransfer;
import dev.coffer.sdk.model.Transfer;
import dev.coffer.sdk.problem.CofferProblemException;
import dev.coffer.sdk.problem.IdempotencyKeyReusedException;
import dev.coffer.sdk.problem.InsufficientFundsException;
import dev.coffer.sdk.problem.InsufficientScopeException;
import dev.coffer.sdk.problem.NotFoundException;
import dev.coffer.sdk.problem.UnauthenticatedException;
import dev.coffer.sdk.problem.ValidationException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SDK against a real Coffer on the test stack: calls, typed problems, tokens, keys. */
class CofferClientTest {
  private static CofferForTests coffer;
  private static CofferClient anonymous;

  @BeforeAll
  static void start() {
    coffer = CofferForTests.shared();
    anonymous = CofferClient.builder(coffer.uri()).build();
  }

  @Test
  void aNewIntegratorOpensAccountsDepositsPaysAndReadsWhatItWrote() {
    CofferClient me = coffer.newUser(anonymous);
    Account from = me.createAccount(new NewAccount().currency("EUR").name("Main"));
    Account to = me.createAccount(new NewAccount().currency("EUR"));
    assertThat(me.consistencyToken()).matches("[0-9a-f]{16}");

    me.deposit(new NewDeposit().accountId(from.getId()).amount(10_000L));
    Transfer paid =
        me.transfer(
            new NewTransfer()
                .fromAccountId(from.getId())
                .toAccountId(to.getId())
                .amount(new BalancingAmount(2_500L))
                .metadata(Map.of("invoice", "A-1042")));

    assertThat(paid.getStatus()).isEqualTo(Transfer.StatusEnum.POSTED);
    assertThat(paid.getMetadata()).containsEntry("invoice", "A-1042");
    // Read at once, with the write's token: the read sees it whichever replica answers.
    assertThat(me.getAccount(from.getId()).getBalance()).isEqualTo(7_500L);
    assertThat(me.getBalance(to.getId()).getBalance()).isEqualTo(2_500L);
    EntryPage entries = me.listEntries(from.getId(), 10, null);
    assertThat(entries.getData()).extracting(e -> e.getAmount()).containsExactly(-2_500L, 10_000L);
    assertThat(me.getTransfer(paid.getId()).getId()).isEqualTo(paid.getId());
    // A sweep: "available" moves what is left, and the answer says how much.
    Transfer swept =
        me.transfer(
            new NewTransfer()
                .fromAccountId(from.getId())
                .toAccountId(to.getId())
                .amount(new BalancingAmount("available")));
    assertThat(swept.getAmount()).isEqualTo(7_500L);
  }

  @Test
  void problemsAreThrownTypedByTheirCode() {
    CofferClient me = coffer.newUser(anonymous);
    Account empty = me.createAccount(new NewAccount().currency("EUR"));
    Account other = me.createAccount(new NewAccount().currency("EUR"));

    assertThatThrownBy(
            () ->
                me.transfer(
                    new NewTransfer()
                        .fromAccountId(empty.getId())
                        .toAccountId(other.getId())
                        .amount(new BalancingAmount(1L))))
        .isInstanceOfSatisfying(
            InsufficientFundsException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.code()).isEqualTo("insufficient-funds");
            });
    assertThatThrownBy(() -> me.getAccount(UUID.randomUUID().toString()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> me.createAccount(new NewAccount().currency("euro")))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.problem().getErrors()).isNotEmpty());
    assertThatThrownBy(() -> anonymous.getAccount(empty.getId()))
        .isInstanceOf(UnauthenticatedException.class);
    // Nothing moved.
    assertThat(me.getAccount(empty.getId()).getBalance()).isZero();
  }

  @Test
  void theCallersOwnIdempotencyKeyMakesTheSameMoveOnce() {
    CofferClient me = coffer.newUser(anonymous);
    Account account = me.createAccount(new NewAccount().currency("EUR"));
    String key = "order-" + UUID.randomUUID();

    Transfer first = me.deposit(new NewDeposit().accountId(account.getId()).amount(700L), key);
    Transfer again = me.deposit(new NewDeposit().accountId(account.getId()).amount(700L), key);

    assertThat(again.getId()).isEqualTo(first.getId());
    assertThat(me.getAccount(account.getId()).getBalance()).isEqualTo(700L);
    assertThatThrownBy(
            () -> me.deposit(new NewDeposit().accountId(account.getId()).amount(800L), key))
        .isInstanceOf(IdempotencyKeyReusedException.class)
        .isInstanceOf(CofferProblemException.class);
  }

  @Test
  void anApiKeyMadeWithTheSdkPaysFromItsAccountAndIsRefusedWhatItsScopesDoNotAllow() {
    CofferClient me = coffer.newUser(anonymous);
    Account account = me.createAccount(new NewAccount().currency("EUR"));
    me.deposit(new NewDeposit().accountId(account.getId()).amount(1_000L));
    CreatedApiKey key =
        me.createApiKey(
            new NewApiKey()
                .name("payouts")
                .scopes(List.of(ApiKeyScope.TRANSFERS_WRITE, ApiKeyScope.TRANSFERS_READ))
                .accounts(List.of(account.getId()))
                .expiresAt(OffsetDateTime.now().plusDays(1)));
    // The key is another credential: the session's write reaches its reads by the token.
    CofferClient machine = anonymous.withToken(key.getKey()).seeing(me.consistencyToken());
    assertThat(machine.consistencyToken()).isEqualTo(me.consistencyToken());
    assertThat(machine.getTransfer(me.listTransfers(null, 1, null).getData().get(0).getId()))
        .isNotNull();

    machine.withdraw(new NewDeposit().accountId(account.getId()).amount(100L));
    assertThat(machine.listTransfers(account.getId(), 10, null).getData()).hasSize(2);
    assertThatThrownBy(() -> machine.createAccount(new NewAccount().currency("EUR")))
        .isInstanceOfSatisfying(
            InsufficientScopeException.class,
            e -> assertThat(e.problem().getRequiredScope()).isEqualTo("accounts:write"));

    me.revokeApiKey(key.getId());
    assertThatThrownBy(() -> machine.listTransfers(null, 10, null))
        .isInstanceOf(UnauthenticatedException.class);
  }
}
