package dev.coffer.api.stream;

import java.time.Duration;

/**
 * Limits and periods of {@code /v1/stream}: accounts one connection may watch, connections one user
 * may hold on an instance, the bytes a connection may have queued before it is closed as a slow
 * consumer, the heartbeat, how often watched accounts are compared with the ledger (which finds
 * entries whose announcement was lost), how often a connection's session is checked, and how many
 * messages a second one connection may send.
 */
public record StreamSettings(
    int maxAccountsPerConnection,
    int maxConnectionsPerUser,
    int queueBytes,
    Duration heartbeat,
    Duration reconcilePeriod,
    Duration sessionCheckPeriod,
    int messagesPerSecond) {}
