package dev.coffer.ledger.transfer;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A transfer's metadata: at most {@link #MAX_KEYS} string keys to string values, each at most
 * {@link #MAX_BYTES} bytes of UTF-8 and without NUL (which jsonb cannot hold).
 */
public final class Metadata {
  public static final int MAX_KEYS = 16;
  public static final int MAX_BYTES = 512;

  private Metadata() {}

  /** The metadata a jsonb column holds (null: none), as an ordered, unmodifiable map. */
  public static Map<String, String> of(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    Map<String, String> map = new TreeMap<>();
    json.forEach(e -> map.put(e.getKey(), String.valueOf(e.getValue())));
    return Collections.unmodifiableMap(map);
  }

  /** {@code metadata}, checked against the limits; a validation failure names the key. */
  public static Map<String, String> checked(Map<String, String> metadata) {
    if (metadata == null || metadata.isEmpty()) {
      return Map.of();
    }
    if (metadata.size() > MAX_KEYS) {
      throw new LedgerException(
          LedgerError.VALIDATION, "metadata holds at most " + MAX_KEYS + " keys");
    }
    metadata.forEach(
        (key, value) -> {
          if (!fits(key) || !fits(value)) {
            throw new LedgerException(
                LedgerError.VALIDATION,
                "metadata keys and values are strings of at most "
                    + MAX_BYTES
                    + " bytes (UTF-8), without NUL: "
                    + (key.length() > 40 ? key.substring(0, 40) + "…" : key));
          }
        });
    return Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /** Whether {@code text} may be a metadata key or value. */
  public static boolean fits(String text) {
    return text != null
        && text.indexOf('\0') < 0
        && text.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
  }

  /** The jsonb parameter for {@code metadata}: null when there is none. */
  public static JsonObject json(Map<String, String> metadata) {
    if (metadata == null || metadata.isEmpty()) {
      return null;
    }
    JsonObject json = new JsonObject();
    metadata.forEach(json::put);
    return json;
  }
}
