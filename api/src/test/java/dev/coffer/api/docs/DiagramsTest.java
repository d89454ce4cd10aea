package dev.coffer.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The architecture diagrams are drawn from their Graphviz sources: every {@code
 * docs/diagrams/*.dot} has its {@code .svg} beside it and back, and each SVG carries the SHA-256 of
 * its source's current text (written by {@code docs/diagrams/render}), so a source edited without
 * rendering again fails here on any machine. Where {@code dot} is installed and is the version that
 * rendered the SVG, rendering again must give the committed file byte for byte; elsewhere that
 * second check is skipped (another Graphviz version lays out differently), the hash check still
 * runs.
 */
class DiagramsTest {
  private static final Path DIR = TestStack.repoRoot().resolve("docs/diagrams");
  private static final Pattern HASH = Pattern.compile("<!-- source-sha256: ([0-9a-f]{64}) -->");
  private static final Pattern VERSION = Pattern.compile("graphviz version ([^\\s]+ \\([^)]*\\))");
  private static final String HOW = "render them again with docs/diagrams/render";

  @Test
  void everySvgWasRenderedFromItsSourceAsItIsNow() throws Exception {
    List<Path> sources = files(".dot");
    assertThat(sources).as("diagram sources").isNotEmpty();
    for (Path dot : sources) {
      Path svg = sibling(dot, ".svg");
      assertThat(svg).as(svg + " is missing: " + HOW).exists();
      Matcher m = HASH.matcher(Files.readString(svg, StandardCharsets.UTF_8));
      assertThat(m.find()).as(svg + " carries no source hash: " + HOW).isTrue();
      assertThat(m.group(1))
          .as(dot.getFileName() + " changed since " + svg.getFileName() + " was rendered: " + HOW)
          .isEqualTo(sha256(Files.readAllBytes(dot)));
    }
    for (Path svg : files(".svg")) {
      assertThat(sibling(svg, ".dot")).as("the source of " + svg).exists();
    }
  }

  @Test
  void renderingAgainGivesTheCommittedSvg() throws Exception {
    String installed = dotVersion();
    Assumptions.assumeTrue(
        installed != null, "dot (Graphviz) is not installed: only the source hashes were checked");
    for (Path dot : files(".dot")) {
      String committed = Files.readString(sibling(dot, ".svg"), StandardCharsets.UTF_8);
      Matcher v = VERSION.matcher(committed);
      Assumptions.assumeTrue(
          v.find() && v.group(1).equals(installed),
          "the SVGs were rendered by another Graphviz than the installed "
              + installed
              + ": layouts differ between versions, so only the source hashes were checked");
      Process p =
          new ProcessBuilder("dot", "-Tsvg", dot.getFileName().toString())
              .directory(DIR.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String rendered = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("dot " + dot).isTrue();
      String withHash =
          rendered.replaceFirst(
              "\\A(<\\?xml[^\\n]*\\n)",
              "$1<!-- source-sha256: " + sha256(Files.readAllBytes(dot)) + " -->\n");
      assertThat(withHash)
          .as(dot.getFileName() + " renders differently: " + HOW)
          .isEqualTo(committed);
    }
  }

  private static String dotVersion() {
    try {
      Process p = new ProcessBuilder("dot", "-V").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      Matcher m = VERSION.matcher(out);
      return m.find() ? m.group(1) : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  private static List<Path> files(String suffix) throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static Path sibling(Path file, String suffix) {
    String name = file.getFileName().toString();
    return file.resolveSibling(name.substring(0, name.lastIndexOf('.')) + suffix);
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
