package dev.coffer.api.chaos;

import dev.coffer.api.chaos.BankHttp.Answer;
import dev.coffer.api.chaos.Operation.Kind;
import dev.coffer.api.chaos.Operation.Outcome;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * One client of the bank: moves money from its own customers' accounts to anyone's, each transfer
 * with a fresh Idempotency-Key, retried with that key until a definitive answer, and records that
 * answer. Now and then it sends an acknowledged transfer once more, as a client whose answer was
 * lost would, and expects the same transfer back.
 */
final class BankClient implements Runnable {
  static final long MAX_AMOUNT = 20_000;

  private final String name;
  private final BankHttp http;
  private final History history;
  private final List<Customer> own;
  private final List<Customer> everyone;
  private final BooleanSupplier keepGoing;
  private final double resendRate;
  private final Random random;
  private final List<Operation> log;
  private long sequence;

  BankClient(
      String name,
      BankHttp http,
      History history,
      List<Customer> own,
      List<Customer> everyone,
      BooleanSupplier keepGoing,
      double resendRate,
      long seed) {
    this.name = name;
    this.http = http;
    this.history = history;
    this.own = own;
    this.everyone = everyone;
    this.keepGoing = keepGoing;
    this.resendRate = resendRate;
    this.random = new Random(seed);
    this.log = history.newClientLog();
  }

  /** Deposits {@code amount} into each own customer's account (the opening balances). */
  void fund(long amount) throws InterruptedException {
    for (Customer customer : own) {
      move(Kind.DEPOSIT, customer, null, customer.account, amount);
    }
  }

  @Override
  public void run() {
    try {
      while (keepGoing.getAsBoolean()) {
        Customer payer = own.get(random.nextInt(own.size()));
        Customer payee = everyone.get(random.nextInt(everyone.size()));
        if (payee == payer) {
          continue;
        }
        long amount = 1 + (long) random.nextInt((int) MAX_AMOUNT);
        Operation done = move(Kind.TRANSFER, payer, payer.account, payee.account, amount);
        if (done.outcome() == Outcome.ACKNOWLEDGED && random.nextDouble() < resendRate) {
          resend(payer, done);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Operation move(Kind kind, Customer user, UUID from, UUID to, long amount)
      throws InterruptedException {
    String key = name + "-" + (++sequence) + "-" + UUID.randomUUID();
    JsonObject body = body(kind, from, to, amount);
    Answer answer = http.untilDefinitive(user, path(kind), key, body);
    Operation operation;
    if (answer == null) {
      operation =
          new Operation(kind, user.id, key, from, to, amount, Outcome.UNDETERMINED, null, null);
    } else if (answer.status() == 201) {
      operation =
          Operation.acknowledged(
              kind, user.id, key, from, to, amount, UUID.fromString(answer.body().getString("id")));
    } else if (answer.status() == 422 && "insufficient-funds".equals(answer.code())) {
      operation = new Operation(kind, user.id, key, from, to, amount, Outcome.REFUSED, null, null);
    } else {
      operation =
          new Operation(
              kind, user.id, key, from, to, amount, Outcome.UNEXPECTED, null, answer.describe());
    }
    log.add(operation);
    return operation;
  }

  // The same request with the same key: the ledger must answer the first transfer again.
  private void resend(Customer payer, Operation first) throws InterruptedException {
    history.resent();
    Answer again =
        http.untilDefinitive(
            payer,
            path(first.kind()),
            first.key(),
            body(first.kind(), first.from(), first.to(), first.amount()));
    String id = again == null || again.body() == null ? null : again.body().getString("id");
    if (again == null || again.status() != 201 || !first.transferId().toString().equals(id)) {
      history.anomaly(
          "resent "
              + first.key()
              + " (transfer "
              + first.transferId()
              + ") was answered "
              + (again == null ? "nothing" : again.describe() + " transfer " + id));
    }
  }

  private static String path(Kind kind) {
    return kind == Kind.DEPOSIT ? "/v1/deposits" : "/v1/transfers";
  }

  private static JsonObject body(Kind kind, UUID from, UUID to, long amount) {
    return kind == Kind.DEPOSIT
        ? new JsonObject().put("accountId", to.toString()).put("amount", amount)
        : new JsonObject()
            .put("fromAccountId", from.toString())
            .put("toAccountId", to.toString())
            .put("amount", amount);
  }
}
