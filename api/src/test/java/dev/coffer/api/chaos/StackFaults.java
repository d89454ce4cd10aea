package dev.coffer.api.chaos;

import dev.coffer.api.testing.CofferProcess;
import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The faults of the chaos run, on the test stack's own processes only: each is found through {@code
 * dev/stack} (its recorded pids and data folder) or the Redis node's own answer, never by a process
 * name.
 */
final class StackFaults {
  private final TestStack stack;
  private final CofferProcess service;
  private final List<Integer> redisPorts;
  private int nextMaster;

  StackFaults(TestStack stack, CofferProcess service) {
    this.stack = stack;
    this.service = service;
    this.redisPorts =
        stack.settings().redisNodes().stream().map(uri -> URI.create(uri).getPort()).toList();
  }

  List<Fault> all() {
    return List.of(
        Fault.of("redis master SIGKILL, failover, node restarted", this::killRedisMaster),
        Fault.of("replica stopped 5 s, started", this::bounceReplica),
        Fault.of("service SIGKILL, restarted", this::killService),
        Fault.of("primary stopped (fast), started", this::restartPrimary),
        Fault.of("primary and its backends SIGSTOPped 5 s, SIGCONT", this::stallPrimary));
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

  void bounceReplica() throws Exception {
    stack.script("stop", "replica");
    Thread.sleep(5000);
    stack.script("start", "replica");
  }

  void killService() throws Exception {
    service.kill();
    service.start();
  }

  void restartPrimary() throws Exception {
    stack.script("stop", "primary");
    stack.script("start", "primary");
  }

  void stallPrimary() throws Exception {
    PostgresStall.of(stack).hold(5000);
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
