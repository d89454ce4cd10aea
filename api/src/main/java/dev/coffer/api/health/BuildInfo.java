package dev.coffer.api.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The build's version ({@code project.version}) and git commit, as {@code api/pom.xml} wrote them
 * into {@code coffer-build.properties} at build time; {@code unknown} for what the build could not
 * tell (no git, no {@code .git}), and both {@code unknown} when the file is missing (classes run
 * from an IDE without the Maven build).
 */
public record BuildInfo(String version, String commit) {
  static final String RESOURCE = "/coffer-build.properties";
  public static final String UNKNOWN = "unknown";

  private static final BuildInfo CURRENT = load();

  /** This build's. */
  public static BuildInfo current() {
    return CURRENT;
  }

  static BuildInfo load() {
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return new BuildInfo(UNKNOWN, UNKNOWN);
      }
      Properties p = new Properties();
      p.load(in);
      return new BuildInfo(nonBlank(p.getProperty("version")), nonBlank(p.getProperty("commit")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() || value.contains("${") ? UNKNOWN : value.trim();
  }
}
