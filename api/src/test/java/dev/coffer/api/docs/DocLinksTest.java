package dev.coffer.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every local link in the README, CONTRIBUTING, CHANGELOG and docs/ resolves: the file or folder
 * exists, and a {@code #fragment} names a heading of the target Markdown file (GitHub's anchor
 * slugs, duplicates numbered {@code -1}, {@code -2}, ...) or an explicit {@code id}/{@code name}.
 * Links to other sites are not followed (no network); links inside code are not links.
 */
class DocLinksTest {
  private static final Path ROOT = TestStack.repoRoot();

  // [text](target) and ![alt](target), the target up to a space (a title may follow) or ')'.
  private static final Pattern MD_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?");
  private static final Pattern HTML_LINK =
      Pattern.compile("<(?:a|img)\\s[^>]*?(?:href|src)=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_ID =
      Pattern.compile("<a\\s[^>]*?(?:id|name)=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

  private final Map<Path, Set<String>> anchors = new HashMap<>();

  @Test
  void everyLocalLinkAndAnchorResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : markdownFiles()) {
      String text = prose(file);
      for (Pattern p : List.of(MD_LINK, HTML_LINK)) {
        Matcher m = p.matcher(text);
        while (m.find()) {
          String target = m.group(1);
          if (isExternal(target)) {
            continue;
          }
          checked++;
          String problem = resolve(file, target);
          if (problem != null) {
            int line =
                1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            broken.add(ROOT.relativize(file) + ":" + line + ": " + target + " (" + problem + ")");
          }
        }
      }
    }
    assertThat(checked).as("local links checked").isGreaterThan(50);
    assertThat(String.join("\n", broken)).as("broken links").isEmpty();
  }

  /** The slugs agree with GitHub's for the shapes of heading the docs use. */
  @Test
  void slugsAreGitHubs() {
    assertThat(slug("Conversions between currencies (issue 30, item 3)"))
        .isEqualTo("conversions-between-currencies-issue-30-item-3");
    assertThat(slug("`COFFER_TRUSTED_PROXIES` behind the gateway"))
        .isEqualTo("coffer_trusted_proxies-behind-the-gateway");
    assertThat(slug("The write path: group commit")).isEqualTo("the-write-path-group-commit");
    assertThat(slug("A move's terms")).isEqualTo("a-moves-terms");
    assertThat(slug("Kubernetes: the [Helm chart](x) (for SREs)"))
        .isEqualTo("kubernetes-the-helm-chart-for-sres");
    assertThat(slug("The dashboard at 1,000 entries a second"))
        .isEqualTo("the-dashboard-at-1000-entries-a-second");
  }

  static List<Path> markdownFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String top : List.of("README.md", "CONTRIBUTING.md", "CHANGELOG.md")) {
      if (Files.exists(ROOT.resolve(top))) {
        files.add(ROOT.resolve(top));
      }
    }
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  /** The file's text with fenced code blocks blanked (lines kept) and inline code emptied. */
  private static String prose(Path file) throws IOException {
    StringBuilder out = new StringBuilder();
    boolean fenced = false;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced) {
        out.append(line.replaceAll("`[^`]*`", "``"));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static boolean isExternal(String target) {
    return target.matches("(?i)[a-z][a-z0-9+.-]*:.*");
  }

  /** Null when {@code target} resolves from {@code file}, else why not. */
  private String resolve(Path file, String target) throws IOException {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String fragment = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = path.isEmpty() ? file : file.getParent().resolve(decode(path)).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (fragment == null || fragment.isEmpty()) {
      return null;
    }
    if (!resolved.toString().endsWith(".md")) {
      return fragment.matches("L\\d+(-L\\d+)?")
          ? null
          : "a fragment on a file that is not Markdown";
    }
    return anchorsOf(resolved).contains(decode(fragment)) ? null : "no such anchor";
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private Set<String> anchorsOf(Path md) throws IOException {
    Set<String> cached = anchors.get(md);
    if (cached != null) {
      return cached;
    }
    Set<String> found = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(md, StandardCharsets.UTF_8)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String base = slug(h.group(2));
        int n = seen.merge(base, 1, Integer::sum) - 1;
        found.add(n == 0 ? base : base + "-" + n);
      }
      Matcher id = HTML_ID.matcher(line);
      while (id.find()) {
        found.add(id.group(1));
      }
    }
    anchors.put(md, found);
    return found;
  }

  /**
   * GitHub's anchor for a heading: its text as rendered (code spans and links reduced to their
   * text, HTML tags dropped), lower case, every character but letters, digits, marks, {@code _},
   * {@code -} and spaces removed, spaces made hyphens.
   */
  static String slug(String heading) {
    String text =
        heading
            .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
            .replaceAll("<[^>]+>", "")
            .replace("`", "")
            .trim()
            .toLowerCase(java.util.Locale.ROOT);
    return text.replaceAll("[^\\p{L}\\p{N}\\p{M}_\\- ]", "").replace(' ', '-');
  }
}
