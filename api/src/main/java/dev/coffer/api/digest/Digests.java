package dev.coffer.api.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex digests of text, for keys that must not hold what they name (tokens, e-mails, bodies). */
public final class Digests {
  private static final HexFormat HEX = HexFormat.of();

  private Digests() {}

  /** SHA-256 of {@code text}'s UTF-8 bytes, as 64 lower-case hex digits. */
  public static String sha256Hex(String text) {
    return hex("SHA-256", text);
  }

  /** SHA-256 of {@code text}'s UTF-8 bytes, in base64 (as a Content-Security-Policy hash). */
  public static String sha256Base64(String text) {
    try {
      return java.util.Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** SHA-1 of {@code text}'s UTF-8 bytes, as 40 hex digits: only where a protocol names it. */
  public static String sha1Hex(String text) {
    return hex("SHA-1", text);
  }

  private static String hex(String algorithm, String text) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      // Every JVM must provide both.
      throw new IllegalStateException("the JVM has no " + algorithm, e);
    }
  }
}
