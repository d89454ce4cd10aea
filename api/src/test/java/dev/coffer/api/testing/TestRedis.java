package dev.coffer.api.testing;

import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/** A client of the test stack's Redis Cluster, for tests that look at or set keys themselves. */
public final class TestRedis {
  private TestRedis() {}

  public static Redis cluster(Vertx vertx) {
    RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
    TestStack.get().settings().redisNodes().forEach(options::addConnectionString);
    return Redis.createClient(vertx, options);
  }
}
