package dev.coffer.api.access;

import java.util.Locale;

/**
 * One permission, {@code <resource>:<level>} (e.g. {@code transfers:write}). {@code write} implies
 * {@code read}. What each operation requires is written in the contract, as the scopes of its
 * {@code bearer} security requirement.
 */
public record Scope(Resource resource, Level level) {

  /** What a scope is about. */
  public enum Resource {
    ACCOUNTS,
    TRANSFERS,
    WEBHOOKS,
    STREAM,
    EXPORTS,
    API_KEYS;

    /** The name in a scope, e.g. {@code api-keys}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Resource fromWire(String text) {
      for (Resource r : values()) {
        if (r.wire().equals(text)) {
          return r;
        }
      }
      return null;
    }
  }

  /** How much of a resource: nothing, reading it, or also changing it. */
  public enum Level {
    NONE,
    READ,
    WRITE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code accounts:read} → the scope; null for anything else (including {@code :none}). */
  public static Scope parse(String text) {
    if (text == null) {
      return null;
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return null;
    }
    Resource resource = Resource.fromWire(text.substring(0, colon));
    String level = text.substring(colon + 1);
    if (resource == null) {
      return null;
    }
    return switch (level) {
      case "read" -> new Scope(resource, Level.READ);
      case "write" -> new Scope(resource, Level.WRITE);
      default -> null;
    };
  }

  @Override
  public String toString() {
    return resource.wire() + ":" + level.wire();
  }
}
