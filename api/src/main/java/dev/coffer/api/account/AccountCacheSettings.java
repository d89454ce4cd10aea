package dev.coffer.api.account;

import java.time.Duration;

/** Whether single accounts are cached in Redis, and for how long at most. */
public record AccountCacheSettings(boolean enabled, Duration ttl) {}
