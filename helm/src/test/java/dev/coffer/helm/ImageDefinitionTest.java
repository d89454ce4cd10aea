package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * Neither the Dockerfile nor Jib can build here (no Docker engine, no registry for the base image),
 * so this checks what can be checked without them: that both describe the same image, that the
 * Dockerfile only copies what exists, and that the image's user is the one the chart runs as.
 */
class ImageDefinitionTest {
  private static final Path ROOT = CofferChart.repoRoot();
  private static List<String> dockerfile;
  private static Element jib;

  @BeforeAll
  static void read() throws Exception {
    // Continuation lines joined, comments dropped: one instruction per entry.
    String text = Files.readString(ROOT.resolve("Dockerfile")).replaceAll("\\\\\\n", " ");
    dockerfile =
        text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    jib = plugin(pom(ROOT.resolve("api/pom.xml")), "jib-maven-plugin");
  }

  @Test
  void theDockerfileCopiesOnlyWhatTheRepositoryHasAndTheContextKeeps() throws Exception {
    List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
    List<String> sources = new ArrayList<>();
    for (String line : dockerfile) {
      if (line.startsWith("COPY ") && !line.contains("--from=")) {
        String[] parts = line.substring(5).trim().split("\\s+");
        sources.addAll(List.of(parts).subList(0, parts.length - 1));
      }
    }
    assertThat(sources).contains("api/src/", "ledger/src/", "testkit/src/");
    for (String source : sources) {
      assertThat(ROOT.resolve(source)).as(source).exists();
      assertThat(ignored)
          .as(".dockerignore keeps %s", source)
          .noneMatch(i -> source.startsWith(i.strip() + "/") || source.equals(i.strip()));
    }
    // The reactor needs every module's POM, or the build stage fails before compiling.
    for (String module : modules()) {
      assertThat(sources).as("module %s", module).contains(module + "/pom.xml");
    }
  }

  @Test
  void theRuntimeStageRunsTheShadedJarOnAJre21AsTheChartsUser() throws Exception {
    // The contract's npm stage, the build, the runtime.
    List<String> froms = instructions("FROM");
    assertThat(froms).hasSize(3);
    assertThat(froms.get(0)).endsWith(" AS contract");
    assertThat(froms.get(1)).endsWith(" AS build");
    assertThat(froms.get(2)).isEqualTo("eclipse-temurin:21-jre");

    String finalName =
        plugin(pom(ROOT.resolve("api/pom.xml")), "maven-shade-plugin")
            .getElementsByTagName("finalName")
            .item(0)
            .getTextContent()
            .strip();
    String jar = "/src/api/target/" + finalName + ".jar";
    assertThat(instructions("COPY")).contains("--from=build " + jar + " /app/coffer-api.jar");
    assertThat(instructions("ENTRYPOINT"))
        .containsExactly("[\"java\", \"-jar\", \"/app/coffer-api.jar\"]");
    assertThat(instructions("CMD")).containsExactly("[\"serve\"]");

    assertThat(instructions("USER")).containsExactly(chartUser() + ":" + chartUser());
    assertThat(chartUser()).isGreaterThan(0);
    assertThat(String.join("\n", instructions("ENV"))).contains(javaToolOptionsOfTheChart());
  }

  @Test
  void jibBuildsTheSameImageAndIsNeverPartOfTheBuild() {
    List<String> froms = instructions("FROM");
    assertThat(text(jib, "configuration/from/image")).isEqualTo(froms.get(froms.size() - 1));
    assertThat(text(jib, "configuration/container/mainClass")).isEqualTo("${main.class}");
    assertThat(text(jib, "configuration/container/args/arg")).isEqualTo("serve");
    assertThat(text(jib, "configuration/container/user")).isEqualTo(instructions("USER").get(0));
    assertThat(text(jib, "configuration/container/environment/JAVA_TOOL_OPTIONS"))
        .isEqualTo(javaToolOptionsOfTheChart());
    assertThat(text(jib, "configuration/container/ports/port")).isEqualTo("8080");
    // Bound to no phase: `./mvnw verify` must never need a registry.
    assertThat(jib.getElementsByTagName("executions").getLength()).isZero();
  }

  private static int chartUser() throws Exception {
    Map<String, Object> values =
        new Yaml().load(Files.readString(CofferChart.dir().resolve("values.yaml")));
    @SuppressWarnings("unchecked")
    Map<String, Object> pod = (Map<String, Object>) values.get("podSecurityContext");
    return (Integer) pod.get("runAsUser");
  }

  private static String javaToolOptionsOfTheChart() {
    try {
      Map<String, Object> values =
          new Yaml().load(Files.readString(CofferChart.dir().resolve("values.yaml")));
      return (String) values.get("javaToolOptions");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> instructions(String keyword) {
    return dockerfile.stream()
        .filter(l -> l.startsWith(keyword + " "))
        .map(l -> l.substring(keyword.length() + 1).strip())
        .toList();
  }

  private static List<String> modules() throws Exception {
    NodeList list = pom(ROOT.resolve("pom.xml")).getElementsByTagName("module");
    List<String> modules = new ArrayList<>();
    for (int i = 0; i < list.getLength(); i++) {
      modules.add(list.item(i).getTextContent().strip());
    }
    return modules;
  }

  private static Document pom(Path path) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(path.toFile());
  }

  private static Element plugin(Document pom, String artifactId) {
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (artifactId.equals(text(plugin, "artifactId"))) {
        return plugin;
      }
    }
    throw new AssertionError("no " + artifactId + " plugin");
  }

  /** The text of the first element at a slash-separated path of child names under {@code from}. */
  private static String text(Element from, String path) {
    Element at = from;
    for (String name : path.split("/")) {
      Element next = null;
      for (Node child = at.getFirstChild(); child != null; child = child.getNextSibling()) {
        if (child instanceof Element e && e.getTagName().equals(name)) {
          next = e;
          break;
        }
      }
      if (next == null) {
        throw new AssertionError("no " + path);
      }
      at = next;
    }
    return at.getTextContent().strip();
  }
}
