package dev.coffer.api.chaos;

import dev.coffer.api.testing.CofferProcess;
import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The faults of the chaos run, on the HA test stack's own processes only: each is found through
 * {@code dev/stack} (its recorded pids, data folders and the failover monitor's view of which node
 * is the primary) or the Redis node's own answer, never by a process name. A database fault is over
 * when the stack is healthy again (a primary and two streaming standbys); one that loses the
 * primary also measures how long after it the clients' writes came back.
 */
final class StackFaults {
  static final String PRIMARY_DESTROYED =
      "primary destroyed (SIGKILL, data directory deleted), rejoined as a new standby";
  static final String PRIMARY_STOPPED = "primary stopped (fast), failover, started as a standby";
  static final String PRIMARY_PARTITIONED =
      "primary cut off from standbys, monitor and service (network partition), healed";
  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private static final Duration WRITES_BACK_PATIENCE = Duration.ofSeconds(90);

  private final TestStack stack;
  private final CofferProcess service;
  private final History history;
  private final List<Integer> redisPorts;
  private final Map<String, List<Long>> writesBackMillis = new ConcurrentHashMap<>();
  private int nextMaster;

  StackFaults(TestStack stack, CofferProcess service, History history) {
    this.stack = stack;
    this.service = service;
    this.history = history;
    this.redisPorts =
        stack.settings().redisNodes().stream().map(uri -> URI.create(uri).getPort()).toList();
  }

  List<Fault> all() {
    List<Fault> faults =
        new java.util.ArrayList<>(
            List.of(
                Fault.of(PRIMARY_DESTROYED, this::destroyPrimary),
                Fault.of("redis master SIGKILL, failover, node restarted", this::killRedisMaster),
                Fault.of("a standby stopped 5 s, started", this::bounceStandby),
                Fault.of("service SIGKILL, restarted", this::killService),
                Fault.of(PRIMARY_STOPPED, this::restartPrimary),
                Fault.of("primary and its backends SIGSTOPped 5 s, SIGCONT", this::stallPrimary)));
    if (stack.partitionable()) {
      faults.add(1, Fault.of(PRIMARY_PARTITIONED, this::partitionPrimary));
    }
    return faults;
  }

  /** For each fault that lost the primary: the time from it to the first write after it, in ms. */
  Map<String, List<Long>> writesBackMillis() {
    return new TreeMap<>(writesBackMillis);
  }

  void destroyPrimary() throws Exception {
    String node = primaryNode();
    stack.script("destroy", node);
    // Timed from the script's return, when the processes are dead: a write sent before it may
    // still have been answered by the old primary.
    awaitWritesBack(PRIMARY_DESTROYED, System.nanoTime());
    awaitPrimaryOtherThan(node);
    stack.script("rejoin", node);
    stack.script("wait-healthy");
  }

  // The Jepsen-style case: the old primary keeps running, cut off from everyone. Synchronous
  // replication leaves it unable to commit, so what the clients saw acknowledged (the audit) is
  // exactly what the promoted standby has; once healed, the old primary must come back as a
  // standby of the new one (pg_rewind drops whatever it wrote alone).
  void partitionPrimary() throws Exception {
    String node = primaryNode();
    stack.script("partition", node);
    try {
      awaitWritesBack(PRIMARY_PARTITIONED, System.nanoTime());
      awaitPrimaryOtherThan(node);
    } finally {
      stack.script("heal", node);
    }
    stack.script("wait-healthy");
    if (primaryNode().equals(node)) {
      throw new IllegalStateException(node + " is the primary again after the partition healed");
    }
  }

  void restartPrimary() throws Exception {
    String node = primaryNode();
    stack.script("stop", node);
    awaitWritesBack(PRIMARY_STOPPED, System.nanoTime());
    awaitPrimaryOtherThan(node);
    stack.script("start", node);
    stack.script("wait-healthy");
  }

  // Writes may be back before the monitor's own view has moved on (it is what rejoin asks).
  private void awaitPrimaryOtherThan(String node) throws InterruptedException {
    long deadline = System.nanoTime() + WRITES_BACK_PATIENCE.toNanos();
    while (stack.tryScript("primary").output().contains(node + " ")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the monitor still names " + node + " the primary");
      }
      Thread.sleep(200);
    }
  }

  void bounceStandby() throws Exception {
    String primary = primaryNode();
    String standby = NODES.stream().filter(n -> !n.equals(primary)).findFirst().orElseThrow();
    stack.script("stop", standby);
    Thread.sleep(5000);
    stack.script("start", standby);
    stack.script("wait-healthy");
  }

  void stallPrimary() throws Exception {
    PostgresStall.of(stack).hold(5000);
    // Held long enough, the monitor may have failed the primary over meanwhile.
    stack.script("wait-healthy");
  }

  // The clients keep writing through the fault: the first request sent after it that moved money.
  private void awaitWritesBack(String fault, long lostNanos) throws InterruptedException {
    long deadline = lostNanos + WRITES_BACK_PATIENCE.toNanos();
    long back;
    while ((back = history.firstMoneyWriteSentAfter(lostNanos)) < 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no write succeeded within " + WRITES_BACK_PATIENCE + " after: " + fault);
      }
      Thread.sleep(50);
    }
    long millis = (back - lostNanos) / 1_000_000;
    writesBackMillis.computeIfAbsent(fault, f -> new CopyOnWriteArrayList<>()).add(millis);
    System.out.printf("chaos:          writes back %.1f s after it%n", millis / 1000.0);
  }

  private String primaryNode() {
    return stack.primaryNode();
  }

  void killRedisMaster() throws Exception {
    List<Integer> masters = redisPorts.stream().filter(this::isMaster).toList();
    if (masters.isEmpty()) {
      throw new IllegalStateException("no Redis master answers on " + redisPorts);
    }
    int victim = masters.get(nextMaster++ % masters.size());
    String id = redis(victim, "cluster", "myid").strip();
    stack.script("kill", "redis-" + victim);
    // The cluster must notice and promote the replica before the node comes back: else the node
    // would return as master of its slots with an empty data set.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int witness = redisPorts.stream().filter(p -> p != victim).findFirst().orElseThrow();
    while (!(failed(witness, id)
        && redis(witness, "cluster", "info").contains("cluster_state:ok"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no failover within 60 s after killing redis-" + victim);
      }
      Thread.sleep(100);
    }
    stack.script("start", "redis");
  }

  void killService() throws Exception {
    service.kill();
    service.start();
  }

  private boolean isMaster(int port) {
    try {
      return redis(port, "role").startsWith("master");
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private boolean failed(int witness, String id) throws IOException, InterruptedException {
    for (String line : redis(witness, "cluster", "nodes").split("\n")) {
      String[] fields = line.split(" ");
      if (fields.length > 2 && fields[0].equals(id)) {
        // Flagged failed, and its slots (fields 9 on) handed to the promoted replica.
        return List.of(fields[2].split(",")).contains("fail") && fields.length <= 8;
      }
    }
    return false;
  }

  static String redis(int port, String... command) throws IOException, InterruptedException {
    List<String> args =
        new java.util.ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", "" + port));
    args.addAll(List.of(command));
    Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    process.waitFor(10, TimeUnit.SECONDS);
    return new String(out, StandardCharsets.UTF_8);
  }
}
