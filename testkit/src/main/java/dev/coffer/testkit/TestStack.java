package dev.coffer.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;

/**
 * The services integration tests run against, found or started once per test JVM.
 *
 * <p>In order: the {@code COFFER_PG_PRIMARY}, {@code COFFER_PG_REPLICA} and {@code
 * COFFER_REDIS_NODES} environment variables when all are set; else the repo's docker-compose.yml
 * through Testcontainers when a Docker daemon answers; else the repo's {@code dev/stack} script,
 * which starts PostgreSQL and Redis from the machine's binaries as a stack named "test", on its own
 * ports, so that a developer's running {@code dev/run} stack is never touched. What this class
 * started, it stops when the JVM exits.
 *
 * <p>{@link #ha()} is a second stack for the tests that lose a database server: {@code dev/stack}
 * in its HA mode (a pg_auto_failover monitor and three nodes with a synchronous standby), named
 * "test-ha", always the script's (it is destroyed on purpose, so never a service given by
 * environment variables).
 */
public final class TestStack {
  private static final Logger LOG = Logger.getLogger(TestStack.class.getName());
  private static final List<String> VARIABLES =
      List.of("COFFER_PG_PRIMARY", "COFFER_PG_REPLICA", "COFFER_REDIS_NODES");
  private static final Map<String, String> LIGHT =
      Map.of(
          "COFFER_STACK_NAME", "test",
          "COFFER_STACK_PG_PRIMARY_PORT", "45442",
          "COFFER_STACK_PG_REPLICA_PORT", "45443",
          "COFFER_STACK_REDIS_BASE_PORT", "46479");
  private static final Map<String, String> HA = haSettings();
  private static TestStack instance;
  private static TestStack haInstance;

  private final StackSettings settings;
  private final boolean scripted;
  private final Map<String, String> stackEnv;

  private TestStack(StackSettings settings, boolean scripted, Map<String, String> stackEnv) {
    this.settings = settings;
    this.scripted = scripted;
    this.stackEnv = stackEnv;
  }

  // As root, the database nodes are hosts of their own (network namespaces), so that a test can cut
  // one off; elsewhere they share the loopback interface, and partitions are not tested.
  private static Map<String, String> haSettings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("COFFER_STACK_NAME", "test-ha");
    settings.put("COFFER_STACK_HA", "1");
    settings.put("COFFER_STACK_PG_MONITOR_PORT", "45460");
    settings.put("COFFER_STACK_PG_NODE_BASE_PORT", "45461");
    settings.put("COFFER_STACK_PG_RESTORE_PORT", "45469");
    settings.put("COFFER_STACK_REDIS_BASE_PORT", "46679");
    if (mayCreateNetworkNamespaces()) {
      settings.put("COFFER_STACK_NETNS", "1");
      settings.put("COFFER_STACK_NETNS_SUBNET", "10.213.8.0/24");
    }
    return Map.copyOf(settings);
  }

  // Root alone is not enough (a container without CAP_NET_ADMIN): try one.
  private static boolean mayCreateNetworkNamespaces() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return false;
    }
    try {
      Process probe = new ProcessBuilder("unshare", "-n", "true").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The stack of this test run, started on first use. */
  public static synchronized TestStack get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  /** The HA stack of this test run (the script's, in its HA mode), started on first use. */
  public static synchronized TestStack ha() {
    if (haInstance == null) {
      haInstance = startScript(HA);
    }
    return haInstance;
  }

  public StackSettings settings() {
    return settings;
  }

  /**
   * True when the stack is the repo's script, whose parts a test may stop and start (failure tests
   * need that; services given by environment variables are not ours to stop).
   */
  public boolean controllable() {
    return scripted;
  }

  /**
   * Runs {@code dev/stack ARGS...}, e.g. {@code stop replica}; fails the test on error. Returns
   * what it printed (stdout, then stderr).
   */
  public String script(String... args) {
    if (!scripted) {
      throw new IllegalStateException("the stack is not the local script's: cannot run " + args[0]);
    }
    return run(stackEnv, args);
  }

  /** In the HA mode: the node the failover monitor says is the primary now, e.g. {@code node2}. */
  public String primaryNode() {
    String answer = script("primary");
    return answer
        .lines()
        .filter(line -> line.matches("node[0-9]+ [0-9]+"))
        .map(line -> line.split(" ")[0])
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("dev/stack primary named no node: " + answer));
  }

  /** As {@link #script}, but answers the exit code and output of a command that may fail. */
  public Result tryScript(String... args) {
    if (!scripted) {
      throw new IllegalStateException("the stack is not the local script's: cannot run " + args[0]);
    }
    return execute(stackEnv, args);
  }

  private static TestStack start() {
    Map<String, String> env = System.getenv();
    if (VARIABLES.stream().allMatch(v -> env.get(v) != null && !env.get(v).isBlank())) {
      LOG.info("test stack: using the services named by COFFER_PG_* and COFFER_REDIS_NODES");
      return new TestStack(StackSettings.fromEnvironment(env), false, LIGHT);
    }
    if (dockerAnswers()) {
      return new TestStack(startCompose(), false, LIGHT);
    }
    return startScript(LIGHT);
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  // The compose file uses host networking on the script's ports, so settings are the same.
  private static StackSettings startCompose() {
    LOG.info("test stack: Docker answers, starting docker-compose.yml with Testcontainers");
    ComposeContainer compose =
        new ComposeContainer(repoRoot().resolve("docker-compose.yml").toFile())
            .withLocalCompose(true);
    compose.start();
    Runtime.getRuntime().addShutdownHook(new Thread(compose::stop, "test-stack-compose-down"));
    return StackSettings.fromEnvironment(parseEnv(run(LIGHT, "env")));
  }

  private static TestStack startScript(Map<String, String> stackEnv) {
    String name = stackEnv.get("COFFER_STACK_NAME");
    boolean alreadyUp = execute(stackEnv, "status").exitCode == 0;
    LOG.info(
        "test stack "
            + name
            + ": local script ("
            + (alreadyUp ? "already running" : "starting")
            + ")");
    run(stackEnv, "up");
    if (!alreadyUp) {
      // Stop only what the tests started: a stack someone left running stays up.
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> run(stackEnv, "down"), "test-stack-down-" + name));
    }
    return new TestStack(
        StackSettings.fromEnvironment(parseEnv(run(stackEnv, "env"))), true, stackEnv);
  }

  /** The repository's root folder (set by Maven; else found from the working directory). */
  public static Path repoRoot() {
    String configured = System.getProperty("coffer.repo.root");
    Path dir = Path.of(configured != null ? configured : "").toAbsolutePath();
    while (dir != null && !Files.isExecutable(dir.resolve("dev/stack"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "cannot find dev/stack above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  private static Map<String, String> parseEnv(String output) {
    Map<String, String> env = new HashMap<>();
    output
        .lines()
        .filter(line -> line.startsWith("COFFER_") && line.contains("="))
        .forEach(
            line ->
                env.put(
                    line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
    return env;
  }

  private static String run(Map<String, String> stackEnv, String... args) {
    Result result = execute(stackEnv, args);
    if (result.exitCode != 0) {
      throw new IllegalStateException(
          "dev/stack "
              + String.join(" ", args)
              + " failed ("
              + result.exitCode
              + "):\n"
              + result.output);
    }
    return result.output;
  }

  // The caller's COFFER_STACK_* settings (dev/chaos's, say) move the stack of their own mode; the
  // other mode's stack keeps the defaults here, so the two never share a name, a port or a subnet.
  private static Map<String, String> environment(
      Map<String, String> stackEnv, Map<String, String> caller) {
    Map<String, String> env = new HashMap<>(caller);
    boolean ha = "1".equals(stackEnv.get("COFFER_STACK_HA"));
    if (ha == "1".equals(env.get("COFFER_STACK_HA"))) {
      stackEnv.forEach(env::putIfAbsent);
    } else {
      env.keySet().removeIf(name -> name.startsWith("COFFER_STACK_"));
      env.putAll(stackEnv);
    }
    // Test data is throwaway: the stack may skip fsync (never in the configuration a user runs).
    env.putIfAbsent("COFFER_STACK_FAST", "1");
    return env;
  }

  /**
   * Whether a database node can be cut off from the network ({@code dev/stack partition}): the HA
   * stack in its network-namespace variant, which needs root.
   */
  public boolean partitionable() {
    return scripted && "1".equals(environment(stackEnv, System.getenv()).get("COFFER_STACK_NETNS"));
  }

  /** What a {@code dev/stack} command printed (stdout, then stderr), and its exit code. */
  public record Result(int exitCode, String output) {}

  private static Result execute(Map<String, String> stackEnv, String... args) {
    Path root = repoRoot();
    List<String> command = new java.util.ArrayList<>(List.of(root.resolve("dev/stack").toString()));
    command.addAll(List.of(args));
    try {
      // Files, not pipes: a daemon that kept a pipe open would make a read block forever.
      File out = Files.createTempFile("coffer-stack", ".out").toFile();
      File err = Files.createTempFile("coffer-stack", ".err").toFile();
      ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
      Map<String, String> env = builder.environment();
      Map<String, String> effective = environment(stackEnv, Map.copyOf(env));
      env.clear();
      env.putAll(effective);
      Process process = builder.redirectOutput(out).redirectError(err).start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("dev/stack " + String.join(" ", args) + " timed out");
      }
      String output = Files.readString(out.toPath()) + Files.readString(err.toPath());
      Files.deleteIfExists(out.toPath());
      Files.deleteIfExists(err.toPath());
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
