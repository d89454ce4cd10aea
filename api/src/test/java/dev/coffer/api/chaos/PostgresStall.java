package dev.coffer.api.chaos;

import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A network stall of the primary without root tricks: its postmaster and every process it forked
 * (backends, WAL sender, checkpointer...) are SIGSTOPped, so connections stay open and nothing
 * answers, then SIGCONTinued. Only the test stack's primary: the postmaster's pid comes from the
 * data folder the server itself names, and is checked against its command line; the others are its
 * children.
 */
final class PostgresStall {
  private final long postmaster;

  private PostgresStall(long postmaster) {
    this.postmaster = postmaster;
  }

  static PostgresStall of(TestStack stack) throws IOException {
    String dataDir =
        stack
            .script("psql", "primary", "-At", "-c", "SHOW data_directory")
            .lines()
            .filter(line -> line.startsWith("/"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the primary named no data folder"));
    long pid =
        Long.parseLong(Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).strip());
    String command = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    if (!command.contains(dataDir)) {
      throw new IllegalStateException(
          "pid " + pid + " is not the primary's postmaster: " + command);
    }
    return new PostgresStall(pid);
  }

  /** Stops the primary's processes for {@code millis}; they are always continued. */
  void hold(long millis) throws Exception {
    Set<Long> stopped = new LinkedHashSet<>();
    Thread resume = new Thread(() -> signal("CONT", stopped), "chaos-primary-cont");
    // Should this JVM die while the primary is stopped, it must not stay stopped.
    Runtime.getRuntime().addShutdownHook(resume);
    try {
      stopped.add(postmaster);
      signal("STOP", Set.of(postmaster));
      // The postmaster cannot fork now; twice, for a child forked just before it stopped.
      for (int round = 0; round < 2; round++) {
        Set<Long> children = new LinkedHashSet<>(childrenOf(postmaster));
        children.removeAll(stopped);
        stopped.addAll(children);
        signal("STOP", children);
      }
      Thread.sleep(millis);
    } finally {
      signal("CONT", stopped);
      Runtime.getRuntime().removeShutdownHook(resume);
    }
  }

  private static List<Long> childrenOf(long parent) throws IOException {
    List<Long> children = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.toList()) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(proc.resolve("stat"));
          // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
          String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(rest[1]) == parent) {
            children.add(Long.parseLong(name));
          }
        } catch (IOException e) {
          // the process ended meanwhile
        }
      }
    }
    return children;
  }

  private static void signal(String signal, Set<Long> pids) {
    if (pids.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
