package dev.coffer.api.apikey;

/**
 * API keys: the service's key that tags keys and hashes their secrets ({@code
 * COFFER_API_KEY_SECRET}; every instance must share it, and changing it invalidates every key), the
 * live keys a user may hold, and the accounts one key may be limited to.
 */
public record ApiKeySettings(byte[] serviceKey, boolean serviceKeyConfigured, int maxPerUser) {
  /** A key limited to accounts names at most this many (the contract says so too). */
  public static final int MAX_ACCOUNTS = 100;

  /**
   * Used when {@code COFFER_API_KEY_SECRET} is unset, with a warning at start: fine on a laptop,
   * never in production, where anyone who read this could forge the tags (not the secrets).
   */
  public static final String DEVELOPMENT_KEY =
      "coffer-development-api-key-secret-not-for-production";
}
