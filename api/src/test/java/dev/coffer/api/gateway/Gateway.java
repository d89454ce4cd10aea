package dev.coffer.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.testkit.TestStack;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * nginx or HAProxy with the project's own configuration (gateway-config/, rendered by {@code
 * dev/cluster render}) in front of some upstreams, run in the foreground by the test from a
 * temporary folder of its own (configuration, pid, logs, temp files) and stopped by it.
 */
final class Gateway implements AutoCloseable {
  private final String kind;
  private final Path dir;
  private final int port;
  private final Process process;

  private Gateway(String kind, Path dir, int port, Process process) {
    this.kind = kind;
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /**
   * Starts {@code kind} ("nginx" or "haproxy") on a free port in front of {@code upstreams} (NAME
   * to HOST:PORT), installing it with apt when missing; aborts the test when that is impossible.
   */
  static Gateway start(String kind, List<String[]> upstreams) throws Exception {
    Script install = script("install", kind);
    Assumptions.assumeTrue(
        install.exitCode == 0,
        () -> kind + " is not installed and could not be installed:\n" + install.output);
    Path dir = Files.createTempDirectory("coffer-" + kind + "-");
    int port = freePort();
    List<String> args =
        new ArrayList<>(List.of("render", kind, dir.toString(), "127.0.0.1:" + port));
    upstreams.forEach(u -> args.add(u[0] + "=" + u[1]));
    Script render = script(args.toArray(String[]::new));
    assertThat(render.exitCode).as(render.output).isZero();

    String bin = Files.isExecutable(Path.of("/usr/sbin", kind)) ? "/usr/sbin/" + kind : kind;
    List<String> command =
        kind.equals("nginx")
            ? List.of(
                bin,
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-e",
                dir.resolve("error.log").toString())
            : List.of(bin, "-db", "-f", dir.resolve("haproxy.cfg").toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("gateway.log").toFile())
            .start();
    Gateway gateway = new Gateway(kind, dir, port, process);
    try {
      gateway.awaitListening();
    } catch (Exception | AssertionError e) {
      gateway.close();
      throw e;
    }
    return gateway;
  }

  int port() {
    return port;
  }

  /** What the gateway logged per request (nginx's access log; HAProxy logs to its stdout). */
  String accessLog() throws IOException {
    Path log = dir.resolve(kind.equals("nginx") ? "access.log" : "gateway.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private void awaitListening() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest live =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      assertThat(process.isAlive()).as(kind + " died: " + logs()).isTrue();
      try {
        if (http.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertThat(System.nanoTime()).as(kind + " never answered: " + logs()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private String logs() throws IOException {
    StringBuilder text = new StringBuilder();
    for (String name : List.of("gateway.log", "error.log")) {
      Path log = dir.resolve(name);
      if (Files.exists(log)) {
        text.append('\n').append(name).append(":\n").append(Files.readString(log));
      }
    }
    return text.toString();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Script(int exitCode, String output) {}

  private static Script script(String... args) throws Exception {
    Path root = TestStack.repoRoot();
    List<String> command = new ArrayList<>(List.of(root.resolve("dev/cluster").toString()));
    command.addAll(List.of(args));
    // A file, not a pipe: apt's children may keep a pipe open after the script exits.
    Path out = Files.createTempFile("coffer-cluster", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return new Script(-1, "dev/cluster " + String.join(" ", args) + " timed out");
      }
      return new Script(process.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
