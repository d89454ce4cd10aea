package dev.coffer.api.chaos;

import dev.coffer.api.chaos.BankHttp.Answer;
import dev.coffer.api.chaos.Operation.Kind;
import dev.coffer.api.chaos.Operation.Outcome;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * One client of the bank: moves money from its own customers' accounts to anyone's, each request
 * (one transfer, or a batch of them, all or none) with a fresh Idempotency-Key, retried with that
 * key until a definitive answer, and records that answer. Now and then it sends an acknowledged
 * request once more, as a client whose answer was lost would, and expects the same transfers back.
 */
final class BankClient implements Runnable {
  static final int MAX_AMOUNT = 20_000;

  private final String name;
  private final BankHttp http;
  private final History history;
  private final List<Customer> own;
  private final List<Customer> everyone;
  private final BooleanSupplier keepGoing;
  private final Workload workload;
  private final Random random;
  // Batches sent as transactions, each with whether it is back-dated (and its effectiveAt, which
  // a resend repeats exactly: the same key with another body would be a reuse).
  private final Map<String, Boolean> asTransaction = new HashMap<>();
  private final Map<String, String> effectiveAt = new HashMap<>();
  private final List<Operation> log;
  private long sequence;

  /** How requests are mixed: the share of batches, their size, the share sent again. */
  record Workload(double batchShare, int batchSize, double resendShare) {}

  BankClient(
      String name,
      BankHttp http,
      History history,
      List<Customer> own,
      List<Customer> everyone,
      BooleanSupplier keepGoing,
      Workload workload,
      long seed) {
    this.name = name;
    this.http = http;
    this.history = history;
    this.own = own;
    this.everyone = everyone;
    this.keepGoing = keepGoing;
    this.workload = workload;
    this.random = new Random(seed);
    this.log = history.newClientLog();
  }

  /** Deposits {@code amount} into each own customer's account (the opening balances). */
  void fund(long amount) throws InterruptedException {
    for (Customer customer : own) {
      String key = nextKey();
      JsonObject body =
          new JsonObject().put("accountId", customer.account.toString()).put("amount", amount);
      Answer answer = http.untilDefinitive(customer, "/v1/deposits", key, body);
      Operation deposit =
          Operation.of(Kind.DEPOSIT, customer.id, key, null, customer.account, amount, null);
      log.addAll(outcomes(List.of(deposit), answer));
    }
  }

  @Override
  public void run() {
    try {
      while (keepGoing.getAsBoolean()) {
        Customer payer = own.get(random.nextInt(own.size()));
        boolean batch = random.nextDouble() < workload.batchShare();
        int size = batch ? workload.batchSize() : 1;
        // A batch's items are smaller, so that one refused item does not refuse them all often.
        int maxAmount = batch ? Math.max(1, MAX_AMOUNT / size) : MAX_AMOUNT;
        List<Operation> asked = new ArrayList<>();
        String key = nextKey();
        while (asked.size() < size) {
          Customer payee = everyone.get(random.nextInt(everyone.size()));
          if (payee != payer) {
            long amount = 1 + random.nextInt(maxAmount);
            asked.add(
                new Operation(
                    Kind.TRANSFER,
                    payer.id,
                    key,
                    batch ? asked.size() : -1,
                    payer.account,
                    payee.account,
                    amount,
                    null,
                    null,
                    null));
          }
        }
        // Half the batches go as transactions (issue 29): all or none as well, one id, legs in
        // order; some of them back-dated a day.
        if (batch && random.nextBoolean()) {
          asTransaction.put(key, random.nextInt(3) == 0);
        }
        List<Operation> done =
            outcomes(asked, http.untilDefinitive(payer, path(key, batch), key, body(key, asked)));
        log.addAll(done);
        if (done.get(0).outcome() == Outcome.ACKNOWLEDGED
            && random.nextDouble() < workload.resendShare()) {
          resend(payer, done);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String nextKey() {
    return name + "-" + (++sequence) + "-" + UUID.randomUUID();
  }

  /** The asked operations with the answer's outcome, and each transfer's id when acknowledged. */
  private static List<Operation> outcomes(List<Operation> asked, Answer answer) {
    List<Operation> done = new ArrayList<>();
    List<UUID> ids = answer != null && answer.status() == 201 ? ids(answer) : null;
    for (int i = 0; i < asked.size(); i++) {
      Operation op = asked.get(i);
      Outcome outcome;
      String detail = null;
      if (answer == null) {
        outcome = Outcome.UNDETERMINED;
      } else if (ids != null && ids.size() == asked.size()) {
        outcome = Outcome.ACKNOWLEDGED;
      } else if (answer.status() == 422 && "insufficient-funds".equals(answer.code())) {
        outcome = Outcome.REFUSED;
      } else {
        outcome = Outcome.UNEXPECTED;
        detail = answer.describe();
      }
      done.add(
          new Operation(
              op.kind(),
              op.user(),
              op.key(),
              op.item(),
              op.from(),
              op.to(),
              op.amount(),
              outcome,
              outcome == Outcome.ACKNOWLEDGED ? ids.get(i) : null,
              detail));
    }
    return done;
  }

  private static List<UUID> ids(Answer answer) {
    List<UUID> ids = new ArrayList<>();
    JsonObject body = answer.body();
    if (body == null) {
      return ids;
    }
    if (body.containsKey("legs")) {
      body.getJsonArray("legs")
          .forEach(t -> ids.add(UUID.fromString(((JsonObject) t).getString("id"))));
    } else if (body.containsKey("data")) {
      body.getJsonArray("data")
          .forEach(t -> ids.add(UUID.fromString(((JsonObject) t).getString("id"))));
    } else if (body.getString("id") != null) {
      ids.add(UUID.fromString(body.getString("id")));
    }
    return ids;
  }

  // The same request with the same key: the ledger must answer the first transfers again.
  private void resend(Customer payer, List<Operation> first) throws InterruptedException {
    history.resent();
    String key = first.get(0).key();
    boolean batch = first.get(0).item() >= 0;
    Answer again = http.untilDefinitive(payer, path(key, batch), key, body(key, first));
    List<UUID> expected = first.stream().map(Operation::transferId).toList();
    List<UUID> got = again == null || again.status() != 201 ? List.of() : ids(again);
    if (!expected.equals(got)) {
      history.anomaly(
          "resent "
              + key
              + " (transfers "
              + expected
              + ") was answered "
              + (again == null ? "nothing" : again.describe() + " " + got));
    }
  }

  private String path(String key, boolean batch) {
    if (asTransaction.containsKey(key)) {
      return "/v1/transactions";
    }
    return batch ? "/v1/transfers:batch" : "/v1/transfers";
  }

  private JsonObject body(String key, List<Operation> transfers) {
    Boolean backDated = asTransaction.get(key);
    if (backDated != null) {
      JsonObject transaction =
          new JsonObject().put("legs", new JsonArray(new ArrayList<>(items(transfers))));
      if (backDated) {
        transaction.put(
            "effectiveAt",
            effectiveAt.computeIfAbsent(
                key, k -> Instant.now().minus(Duration.ofDays(1)).toString()));
      }
      return transaction;
    }
    List<JsonObject> items = items(transfers);
    return transfers.get(0).item() >= 0
        ? new JsonObject().put("transfers", new JsonArray(new ArrayList<>(items)))
        : items.get(0);
  }

  private static List<JsonObject> items(List<Operation> transfers) {
    List<JsonObject> items =
        transfers.stream()
            .map(
                t ->
                    new JsonObject()
                        .put("fromAccountId", t.from().toString())
                        .put("toAccountId", t.to().toString())
                        .put("amount", t.amount()))
            .toList();
    return items;
  }
}
