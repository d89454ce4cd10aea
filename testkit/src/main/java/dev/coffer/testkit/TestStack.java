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
 */
public final class TestStack {
  private static final Logger LOG = Logger.getLogger(TestStack.class.getName());
  private static final List<String> VARIABLES =
      List.of("COFFER_PG_PRIMARY", "COFFER_PG_REPLICA", "COFFER_REDIS_NODES");
  private static TestStack instance;

  private final StackSettings settings;
  private final boolean scripted;

  private TestStack(StackSettings settings, boolean scripted) {
    this.settings = settings;
    this.scripted = scripted;
  }

  /** The stack of this test run, started on first use. */
  public static synchronized TestStack get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
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
    return run(args);
  }

  private static TestStack start() {
    Map<String, String> env = System.getenv();
    if (VARIABLES.stream().allMatch(v -> env.get(v) != null && !env.get(v).isBlank())) {
      LOG.info("test stack: using the services named by COFFER_PG_* and COFFER_REDIS_NODES");
      return new TestStack(StackSettings.fromEnvironment(env), false);
    }
    if (dockerAnswers()) {
      return new TestStack(startCompose(), false);
    }
    return startScript();
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
    return StackSettings.fromEnvironment(parseEnv(run("env")));
  }

  private static TestStack startScript() {
    boolean alreadyUp = exitCode("status") == 0;
    LOG.info("test stack: local script (" + (alreadyUp ? "already running" : "starting") + ")");
    run("up");
    if (!alreadyUp) {
      // Stop only what the tests started: a stack someone left running stays up.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> run("down"), "test-stack-down"));
    }
    return new TestStack(StackSettings.fromEnvironment(parseEnv(run("env"))), true);
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

  private static int exitCode(String... args) {
    return execute(args).exitCode;
  }

  private static String run(String... args) {
    Result result = execute(args);
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

  private record Result(int exitCode, String output) {}

  private static Result execute(String... args) {
    Path root = repoRoot();
    List<String> command = new java.util.ArrayList<>(List.of(root.resolve("dev/stack").toString()));
    command.addAll(List.of(args));
    try {
      // Files, not pipes: a daemon that kept a pipe open would make a read block forever.
      File out = Files.createTempFile("coffer-stack", ".out").toFile();
      File err = Files.createTempFile("coffer-stack", ".err").toFile();
      ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
      Map<String, String> env = builder.environment();
      env.putIfAbsent("COFFER_STACK_NAME", "test");
      env.putIfAbsent("COFFER_STACK_PG_PRIMARY_PORT", "45442");
      env.putIfAbsent("COFFER_STACK_PG_REPLICA_PORT", "45443");
      env.putIfAbsent("COFFER_STACK_REDIS_BASE_PORT", "46479");
      // Test data is throwaway: the stack may skip fsync (never in the configuration a user runs).
      env.putIfAbsent("COFFER_STACK_FAST", "1");
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
