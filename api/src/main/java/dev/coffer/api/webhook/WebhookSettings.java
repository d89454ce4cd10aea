package dev.coffer.api.webhook;

import java.time.Duration;

/**
 * Webhook delivery: how often due deliveries are claimed, each attempt's time limit, the backoff
 * between attempts (doubling from {@code retryBase} up to {@code retryMax}, with jitter), how long
 * after its event a delivery keeps being retried, how long events are kept, how many endpoints a
 * user may register, and whether endpoints may be private or loopback addresses (tests only).
 */
public record WebhookSettings(
    Duration pollPeriod,
    Duration timeout,
    Duration retryBase,
    Duration retryMax,
    Duration retryFor,
    Duration eventRetention,
    int maxEndpointsPerUser,
    boolean allowPrivateAddresses) {}
