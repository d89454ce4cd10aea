package dev.coffer.api.redis;

import java.time.Duration;
import java.util.List;

/** The Redis Cluster: seed nodes, the client's pool size and the time one call may take. */
public record RedisSettings(List<String> nodes, int poolSize, Duration timeout) {}
