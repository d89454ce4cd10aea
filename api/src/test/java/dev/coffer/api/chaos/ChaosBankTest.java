package dev.coffer.api.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.chaos.BankHttp.Answer;
import dev.coffer.api.chaos.Operation.Kind;
import dev.coffer.api.chaos.Operation.Outcome;
import dev.coffer.api.testing.CofferProcess;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chaos bank: many clients move money through a Coffer process on the HA stack (a primary, two
 * standbys, one of them synchronous, under pg_auto_failover) while it is broken in turn (the
 * primary destroyed with its data directory, Redis master SIGKILL, a standby stopped, service
 * SIGKILL, primary stopped, primary stalled), retrying each request with its Idempotency-Key until
 * a definitive answer; then every balance, transfer and key is checked in the primary against what
 * the clients saw acknowledged, and no answer may have been a 5xx other than 503. Coffer is given
 * the stack's multi-host URIs and is never restarted for a failover. For each fault that loses the
 * primary, the time from it to the first write sent after it that succeeded is printed.
 *
 * <p>{@code -Dchaos.seconds} (default 60) of load, at least one round of every fault; {@code
 * -Dchaos.clients} (24), {@code -Dchaos.pause.seconds} between faults (1; 20 from 300 s of load),
 * {@code -Dchaos.batch.share} of requests that are batches (0.2) of {@code -Dchaos.batch.size}
 * transfers (10), {@code -Dchaos.customers.per.client} (2; each has one account), {@code
 * -Dchaos.port} (a free one), {@code -Dchaos.seed}. {@code dev/chaos SECONDS} runs it alone on a
 * stack of its own. Prints its figures and a last line {@code chaos: PASS} or {@code chaos: FAIL}.
 */
class ChaosBankTest {
  private static final long OPENING_DEPOSIT = 100_000;
  private static final Duration PATIENCE = Duration.ofSeconds(180);

  @Test
  void everyBalanceIsWhatTheClientsSawAcknowledgedThroughEveryFault() throws Exception {
    TestStack stack = TestStack.ha();
    assumeTrue(stack.controllable(), "needs a stack whose parts the test may kill and restart");
    int seconds = Integer.getInteger("chaos.seconds", 60);
    int clients = Integer.getInteger("chaos.clients", 24);
    int perClient = Integer.getInteger("chaos.customers.per.client", 2);
    // The database faults themselves take many seconds of load each: a short run needs little
    // pause between them.
    int pause = Integer.getInteger("chaos.pause.seconds", seconds >= 300 ? 20 : 1);
    long seed = Long.getLong("chaos.seed", new Random().nextLong());
    int port = Integer.getInteger("chaos.port", freePort());
    BankClient.Workload workload =
        new BankClient.Workload(
            Double.parseDouble(System.getProperty("chaos.batch.share", "0.2")),
            Integer.getInteger("chaos.batch.size", 10),
            0.02);
    Path logDir = Files.createDirectories(Path.of("target", "chaos"));
    System.out.printf(
        "chaos: %d s of load, %d clients, %d customers, %s, a fault every %d s, seed %d, service"
            + " log %s%n",
        seconds, clients, clients * perClient, workload, pause, seed, logDir.toAbsolutePath());

    History history = new History();
    List<Customer> customers = new ArrayList<>();
    FaultSchedule schedule;
    StackFaults faults;
    long started = System.nanoTime();
    long loadNanos;
    CofferProcess service =
        CofferProcess.launch(
            "coffer-chaos",
            port,
            logDir,
            stack,
            Map.of("COFFER_EVENT_LOOPS", "2", "COFFER_SHUTDOWN_DELAY_MS", "0"));
    try {
      service.awaitReady();
      BankHttp http =
          new BankHttp("http://" + service.address(), history, Duration.ofSeconds(15), PATIENCE);
      String run = UUID.randomUUID().toString().substring(0, 8);
      // Opened in parallel: the long run has hundreds of customers.
      ExecutorService opening = Executors.newFixedThreadPool(clients);
      try {
        List<Future<Customer>> opened = new ArrayList<>();
        for (int i = 0; i < perClient * clients; i++) {
          Customer customer =
              new Customer("chaos-" + run + "-" + i + "@example.com", "chaos " + run);
          opened.add(opening.submit(() -> open(http, customer)));
        }
        for (var future : opened) {
          customers.add(future.get());
        }
      } finally {
        opening.shutdown();
      }
      Random seeds = new Random(seed);
      List<BankClient> bank = new ArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      for (int c = 0; c < clients; c++) {
        List<Customer> own = customers.subList(c * perClient, (c + 1) * perClient);
        BankClient client =
            new BankClient(
                "c" + c + "-" + run,
                http,
                history,
                own,
                customers,
                running::get,
                workload,
                seeds.nextLong());
        client.fund(OPENING_DEPOSIT);
        bank.add(client);
      }
      faults = new StackFaults(stack, service, history);
      schedule = new FaultSchedule(faults.all(), Duration.ofSeconds(pause));
      List<Thread> threads = new ArrayList<>();
      for (BankClient client : bank) {
        Thread thread = new Thread(client, "chaos-client-" + threads.size());
        // A client that dies leaves its last request unrecorded: say so, the audit will differ.
        thread.setUncaughtExceptionHandler((t, e) -> history.anomaly(t.getName() + " died: " + e));
        threads.add(thread);
      }
      long loadStarted = System.nanoTime();
      threads.forEach(Thread::start);
      try {
        schedule.run(Duration.ofSeconds(seconds));
      } finally {
        running.set(false);
        for (Thread thread : threads) {
          thread.join(PATIENCE.toMillis() + 30_000);
        }
      }
      loadNanos = System.nanoTime() - loadStarted;
    } finally {
      service.close();
      restore(stack);
    }

    Set<UUID> accounts = customers.stream().map(c -> c.account).collect(Collectors.toSet());
    Set<UUID> users = customers.stream().map(c -> c.id).collect(Collectors.toSet());
    Vertx vertx = Vertx.vertx();
    List<String> findings;
    LedgerSnapshot snapshot;
    try (LedgerFixture ledger =
        new LedgerFixture(vertx, stack.settings()).withQueryLimit(LedgerSnapshot.AUDIT_LIMIT)) {
      snapshot = LedgerSnapshot.read(ledger, accounts, users);
      findings = new ArrayList<>(LedgerAuditor.audit(history, snapshot, accounts));
      // A 503 says "not now, retry"; any other 5xx is a bug, even one a retry got past.
      history.errors().keySet().stream()
          .filter(kind -> kind.startsWith("5") && !kind.startsWith("503"))
          .forEach(kind -> findings.add("a server error was answered: " + kind));
    } finally {
      // Never in place of the audit's own failure: a slow close is not the finding.
      try {
        vertx.close().await(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        System.out.println("chaos: Vert.x did not close within 60 s after the audit");
      }
    }
    faults
        .writesBackMillis()
        .forEach(
            (fault, millis) ->
                System.out.printf(
                    "chaos: writes back after \"%s\": %s ms (longest %,d ms; goal 15,000 ms)%n",
                    fault, millis, millis.stream().mapToLong(Long::longValue).max().orElse(0)));
    report(history, schedule, snapshot, findings, loadNanos, System.nanoTime() - started);
    assertThat(findings).as("chaos audit findings").isEmpty();
  }

  private static Customer open(BankHttp http, Customer customer) throws InterruptedException {
    Answer signUp =
        http.untilDefinitive(
            null,
            "/v1/users",
            null,
            new JsonObject().put("email", customer.email).put("password", customer.password));
    assertThat(signUp).isNotNull();
    // 409 email-taken: an earlier attempt whose answer was lost did sign up.
    assertThat(signUp.status()).as(signUp.describe()).isIn(201, 409);
    http.logIn(customer);
    Answer account =
        http.untilDefinitive(
            customer, "/v1/accounts", null, new JsonObject().put("currency", "EUR"));
    assertThat(account).isNotNull();
    assertThat(account.status()).as(account.describe()).isEqualTo(201);
    customer.account = UUID.fromString(account.body().getString("id"));
    return customer;
  }

  // Whatever a fault left down comes back, healthy, so that a later test finds its stack.
  private static void restore(TestStack stack) {
    stack.script("up");
    stack.script("wait-healthy");
  }

  private static void report(
      History history,
      FaultSchedule schedule,
      LedgerSnapshot snapshot,
      List<String> findings,
      long loadNanos,
      long totalNanos) {
    List<Operation> operations = history.operations();
    Map<Outcome, Long> transfers =
        operations.stream()
            .filter(op -> op.kind() == Kind.TRANSFER)
            .collect(Collectors.groupingBy(Operation::outcome, Collectors.counting()));
    long transferCount = transfers.values().stream().mapToLong(Long::longValue).sum();
    long deposits = operations.stream().filter(op -> op.kind() == Kind.DEPOSIT).count();
    long singles =
        operations.stream().filter(op -> op.kind() == Kind.TRANSFER && op.item() < 0).count();
    long batches =
        operations.stream().filter(op -> op.kind() == Kind.TRANSFER && op.item() == 0).count();
    System.out.printf(
        "chaos: operations: %,d transfers (%,d acknowledged, %,d refused insufficient-funds, %,d"
            + " undetermined, %,d unexpected) and %,d opening deposits in %.1f s of load (%.0f"
            + " transfers/s), sent as %,d single transfers and %,d batches; %,d acknowledged"
            + " requests sent again, %,d answers replayed%n",
        transferCount,
        transfers.getOrDefault(Outcome.ACKNOWLEDGED, 0L),
        transfers.getOrDefault(Outcome.REFUSED, 0L),
        transfers.getOrDefault(Outcome.UNDETERMINED, 0L),
        transfers.getOrDefault(Outcome.UNEXPECTED, 0L),
        deposits,
        loadNanos / 1e9,
        transferCount / (loadNanos / 1e9),
        singles,
        batches,
        history.resends(),
        history.replayedAnswers());
    System.out.printf(
        "chaos: faults: %d applied: %s%n", schedule.applied().size(), schedule.counts());
    System.out.printf("chaos: client-visible errors (retried): %s%n", history.errors());
    System.out.printf(
        "chaos: longest time to a definitive answer: %,d ms%n", history.longestWaitMillis());
    System.out.printf(
        "chaos: audit: %,d transfers and %,d idempotency keys of the run in the primary, %d"
            + " balances, ledger invariants %s; whole run %.1f s%n",
        snapshot.transfers().size(),
        snapshot.keys().size(),
        snapshot.balances().size(),
        snapshot.invariantsBroken() == null ? "held" : "BROKEN",
        totalNanos / 1e9);
    findings.forEach(finding -> System.out.println("chaos: FINDING " + finding));
    System.out.println(findings.isEmpty() ? "chaos: PASS" : "chaos: FAIL");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
