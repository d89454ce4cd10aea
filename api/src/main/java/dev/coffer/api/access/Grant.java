package dev.coffer.api.access;

import dev.coffer.api.access.Scope.Level;
import dev.coffer.api.access.Scope.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a credential may do for its user: a level per resource, and optionally only some of the
 * user's accounts. A session may do everything its user may ({@link #FULL}); an API key what it was
 * given, never more than the credential that created it.
 */
public final class Grant {
  /** Everything the user may do: a session's grant. */
  public static final Grant FULL = full();

  private final Map<Resource, Level> levels;
  private final Set<UUID> accounts;
  private final UUID keyId;
  private final Instant expiresAt;

  private Grant(Map<Resource, Level> levels, Set<UUID> accounts, UUID keyId, Instant expiresAt) {
    this.levels = levels;
    this.accounts = accounts;
    this.keyId = keyId;
    this.expiresAt = expiresAt;
  }

  private static Grant full() {
    Map<Resource, Level> all = new EnumMap<>(Resource.class);
    for (Resource r : Resource.values()) {
      all.put(r, Level.WRITE);
    }
    return new Grant(all, null, null, null);
  }

  /**
   * A grant of {@code scopes} (each the highest level named for its resource) over {@code accounts}
   * (null: every account of the user), as key {@code keyId} holds it until {@code expiresAt} (null:
   * no end); {@code keyId} null for one not held yet (a key being created).
   */
  public static Grant of(
      Collection<Scope> scopes, Collection<UUID> accounts, UUID keyId, Instant expiresAt) {
    Map<Resource, Level> levels = new EnumMap<>(Resource.class);
    for (Scope scope : scopes) {
      levels.merge(scope.resource(), scope.level(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
    return new Grant(levels, accounts == null ? null : Set.copyOf(accounts), keyId, expiresAt);
  }

  /** Whether this is a session's grant (some operations, as logging out, take only a session). */
  public boolean isSession() {
    return this == FULL;
  }

  /** The API key holding this grant, or null (a session's). */
  public UUID keyId() {
    return keyId;
  }

  /** When the key holding this grant expires, or null when it does not. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether {@code scope} is granted ({@code write} covers {@code read}). */
  public boolean allows(Scope scope) {
    return level(scope.resource()).compareTo(scope.level()) >= 0;
  }

  public Level level(Resource resource) {
    return levels.getOrDefault(resource, Level.NONE);
  }

  /** Whether the grant reaches {@code account} (every account when no list was given). */
  public boolean reaches(UUID account) {
    return accounts == null || accounts.contains(account);
  }

  /** Whether only some accounts are reached. */
  public boolean limitedToAccounts() {
    return accounts != null;
  }

  /** The accounts reached, or null for all. */
  public Set<UUID> accounts() {
    return accounts;
  }

  /**
   * The first thing {@code other} has that this grant has not, or null when this covers it: what a
   * key may not pass on to a key it creates.
   */
  public String firstExcess(Grant other) {
    for (Resource r : Resource.values()) {
      if (other.level(r).compareTo(level(r)) > 0) {
        return new Scope(r, other.level(r)).toString();
      }
    }
    if (expiresAt != null && (other.expiresAt == null || other.expiresAt.isAfter(expiresAt))) {
      return "an expiry at or before " + expiresAt;
    }
    if (accounts != null) {
      if (other.accounts == null) {
        return "every account (this key reaches only some)";
      }
      for (UUID account : other.accounts) {
        if (!accounts.contains(account)) {
          return "account " + account;
        }
      }
    }
    return null;
  }

  /** The scopes, one per resource granted, as the API lists them. */
  public List<String> scopes() {
    List<String> out = new ArrayList<>();
    levels.forEach(
        (r, level) -> {
          if (level != Level.NONE) {
            out.add(new Scope(r, level).toString());
          }
        });
    return out;
  }
}
