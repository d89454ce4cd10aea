package dev.coffer.api.webhook;

import java.time.Duration;

/**
 * Webhook delivery: how often due deliveries are claimed, each attempt's deadline (all of it:
 * connection, request, the answer's head and body), the backoff between attempts (doubling from
 * {@code retryBase} up to {@code retryMax}, with jitter), how long after its event a delivery keeps
 * being retried, how long events are kept, how many endpoints a user may register, whether
 * endpoints may be private or loopback addresses (tests only), and an endpoint's circuit: after
 * {@code circuitFailures} failed attempts in a row nothing is sent to it for {@code circuitOpen}.
 */
public record WebhookSettings(
    Duration pollPeriod,
    Duration timeout,
    Duration retryBase,
    Duration retryMax,
    Duration retryFor,
    Duration eventRetention,
    int maxEndpointsPerUser,
    boolean allowPrivateAddresses,
    int circuitFailures,
    Duration circuitOpen) {}
