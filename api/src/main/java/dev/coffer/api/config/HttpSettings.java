package dev.coffer.api.config;

import java.time.Duration;

/**
 * How the HTTP side runs: where it listens, on how many event loops, how many requests it serves at
 * once, and how it stops (readiness 503 for {@code shutdownDelay}, then draining up to {@code
 * drainTimeout}).
 */
public record HttpSettings(
    String host,
    int port,
    int eventLoops,
    int maxInFlight,
    Duration shutdownDelay,
    Duration drainTimeout) {}
