package dev.coffer.api.session;

import java.time.Duration;

/**
 * How sessions live: their sliding expiry, and whether new tokens carry their user's hash tag
 * ({@code COFFER_SESSION_TOKENS=tagged}, the default), which lets one Redis call both renew the
 * session and count the user's rate limits. {@code plain} issues the older untagged tokens, for a
 * rolling upgrade from a release that reads only those; both kinds are always accepted.
 */
public record SessionSettings(Duration ttl, boolean taggedTokens) {}
