package dev.coffer.api.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * axe-core's browser script, installed from the npm registry into {@code target/axe-core} the first
 * time a test asks for it (a fresh clone has nothing to set up by hand). The version is pinned so a
 * build checks the page against the same rules every time.
 */
final class AxeCore {
  static final String VERSION = "4.10.3";
  private static final Path PREFIX = Path.of("target", "axe-core");
  private static final Path SCRIPT =
      PREFIX.resolve(Path.of("node_modules", "axe-core", "axe.min.js"));

  private AxeCore() {}

  /** The text of axe.min.js, installing it (and npm, through apt, when missing) first. */
  static String script() throws IOException, InterruptedException {
    if (!Files.isRegularFile(SCRIPT) || !installedVersionIs(VERSION)) {
      if (!run(List.of("npm", "--version"))) {
        run(List.of("apt-get", "install", "-y", "-q", "npm"));
      }
      Files.createDirectories(PREFIX);
      boolean installed =
          run(
              List.of(
                  "npm",
                  "install",
                  "--prefix",
                  PREFIX.toString(),
                  "--no-save",
                  "--no-audit",
                  "--no-fund",
                  "--no-package-lock",
                  "axe-core@" + VERSION));
      if (!installed || !Files.isRegularFile(SCRIPT)) {
        throw new IllegalStateException("npm could not install axe-core@" + VERSION);
      }
    }
    return Files.readString(SCRIPT, StandardCharsets.UTF_8);
  }

  private static boolean installedVersionIs(String version) throws IOException {
    Path manifest = PREFIX.resolve(Path.of("node_modules", "axe-core", "package.json"));
    return Files.isRegularFile(manifest)
        && Files.readString(manifest).contains("\"version\": \"" + version + "\"");
  }

  private static boolean run(List<String> command) throws InterruptedException {
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
