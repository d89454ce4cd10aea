package dev.coffer.api.config;

import java.time.Duration;

/**
 * How the HTTP side runs: where it listens, on how many event loops, how many requests and
 * connections it serves at once, how long a connection may idle or take to send a request's head
 * and body, whether it speaks cleartext HTTP/2, how it stops (readiness 503 for {@code
 * shutdownDelay}, then draining up to {@code drainTimeout}), and whether its sockets (HTTP and the
 * Redis and PostgreSQL clients alike) use Linux's epoll directly rather than Java NIO.
 */
public record HttpSettings(
    String host,
    int port,
    int eventLoops,
    int maxInFlight,
    int maxConnections,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout,
    boolean h2c,
    Duration shutdownDelay,
    Duration drainTimeout,
    boolean nativeTransport) {}
