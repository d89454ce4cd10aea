package dev.coffer.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Coffer instance as its own process (the test's classpath), named, on a fixed port that it keeps
 * across restarts, so that a gateway's configuration stays valid. Each run logs to a file of its
 * own; the request log lines tell which instance served what, for which client address. Used by the
 * gateway tests and by the chaos test, which also SIGKILLs it.
 */
public final class CofferProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  // Every instance this JVM started and has not seen exit. A test JVM that ends without closing
  // them (Maven interrupted: surefire's fork exits when its Maven does) kills them on its way
  // out: a Coffer left running would go on sweeping and writing the test database under the
  // next run's tests.
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "coffer-process-reaper"));
  }

  private final String name;
  private final int port;
  private final Map<String, String> env;
  private final Path logDir;
  private final List<Path> logs = new ArrayList<>();
  private Process process;

  private CofferProcess(String name, int port, Map<String, String> env, Path logDir) {
    this.name = name;
    this.port = port;
    this.env = env;
    this.logDir = logDir;
  }

  /** Starts {@code name} on {@code port}; {@code overrides} are extra COFFER_* settings. */
  public static CofferProcess launch(
      String name, int port, Path logDir, Map<String, String> overrides) {
    return launch(name, port, logDir, TestStack.get(), overrides);
  }

  /** As {@link #launch(String, int, Path, Map)}, on the services of {@code stack}. */
  public static CofferProcess launch(
      String name, int port, Path logDir, TestStack stack, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(stack.settings().asEnvironment());
    env.put("COFFER_HTTP_HOST", "127.0.0.1");
    env.put("COFFER_HTTP_PORT", Integer.toString(port));
    env.put("COFFER_INSTANCE_ID", name);
    env.put("COFFER_EVENT_LOOPS", "1");
    env.put("COFFER_PASSWORD_HASH_COST", "4");
    RateLimitSettings.DEFAULTS
        .keySet()
        .forEach(policy -> env.put(RateLimitSettings.variable(policy), "1000000/60"));
    env.putAll(overrides);
    CofferProcess instance = new CofferProcess(name, port, env, logDir);
    instance.spawn();
    return instance;
  }

  public String name() {
    return name;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  private void spawn() {
    Path log = logDir.resolve(name + "-run" + (logs.size() + 1) + ".log");
    logs.add(log);
    ProcessBuilder builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.coffer.api.CofferMain")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    Process started = process;
    RUNNING.add(started);
    started.onExit().thenRun(() -> RUNNING.remove(started));
  }

  /** Waits until /health/ready answers 200; fails with the log's tail when the process died. */
  public void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://" + address() + "/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    while (true) {
      assertThat(process.isAlive()).as(name + " died:\n" + tail()).isTrue();
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertThat(System.nanoTime()).as(name + " never got ready:\n" + tail()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** SIGTERM, then waits for the graceful exit (0) that Coffer promises. */
  public void terminate() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name + " exits after SIGTERM").isTrue();
    assertThat(process.exitValue()).as(name + " exit code:\n" + tail()).isZero();
  }

  /** SIGTERM, wait for the exit, start again on the same port, wait until ready. */
  public void restart() throws InterruptedException {
    terminate();
    spawn();
    awaitReady();
  }

  /** SIGKILL, as a crash or an OOM killer would: no drain, no answer to requests in flight. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(name + " dies on SIGKILL").isTrue();
  }

  /** Starts again on the same port (after {@link #kill}) and waits until ready. */
  public void start() throws InterruptedException {
    spawn();
    awaitReady();
  }

  public int port() {
    return port;
  }

  /** The request log lines of every run of this instance. */
  public List<JsonObject> requests() {
    List<JsonObject> all = new ArrayList<>();
    logs.forEach(log -> all.addAll(requests(log)));
    return all;
  }

  /** The request log lines of the current run. */
  public List<JsonObject> requestsOfThisRun() {
    return requests(logs.get(logs.size() - 1));
  }

  private static List<JsonObject> requests(Path log) {
    List<JsonObject> lines = new ArrayList<>();
    for (String line : read(log).split("\n")) {
      if (line.startsWith("{") && line.contains("\"logger\":\"coffer.request\"")) {
        try {
          lines.add(new JsonObject(line));
        } catch (DecodeException e) {
          // the last line, still being written
        }
      }
    }
    return lines;
  }

  /** Everything every run of this instance has written (its log), in order. */
  public String logText() {
    StringBuilder all = new StringBuilder();
    logs.forEach(log -> all.append(read(log)));
    return all.toString();
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String tail() {
    String text = read(logs.get(logs.size() - 1));
    return text.substring(Math.max(0, text.length() - 4000));
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
