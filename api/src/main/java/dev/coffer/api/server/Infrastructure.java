package dev.coffer.api.server;

import dev.coffer.api.redis.RedisSettings;
import dev.coffer.ledger.Ledger;
import dev.coffer.ledger.db.DatabasePools;
import dev.coffer.ledger.db.DatabaseSettings;
import dev.coffer.ledger.db.WriteTracing;
import dev.coffer.ledger.transfer.GroupCommitSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import java.time.Duration;

/** The shared clients every verticle instance uses: the Postgres pools, the ledger, Redis. */
public record Infrastructure(DatabasePools databases, Ledger ledger, Redis redis) {

  /** Creates the clients; none of them connects before it is first used. */
  public static Infrastructure create(
      Vertx vertx,
      DatabaseSettings database,
      GroupCommitSettings groupCommit,
      RedisSettings redis,
      Duration maxReplicaLag) {
    return create(vertx, database, groupCommit, redis, maxReplicaLag, WriteTracing.NONE);
  }

  /** As above, the ledger's writes traced by {@code tracing}. */
  public static Infrastructure create(
      Vertx vertx,
      DatabaseSettings database,
      GroupCommitSettings groupCommit,
      RedisSettings redis,
      Duration maxReplicaLag,
      WriteTracing tracing) {
    RedisOptions redisOptions =
        new RedisOptions()
            .setType(RedisClientType.CLUSTER)
            // Writes and reads both go to masters: a replica may lag behind a session's write.
            .setUseReplicas(RedisReplicas.NEVER)
            .setMaxPoolSize(redis.poolSize())
            .setMaxPoolWaiting(redis.poolSize() * 8)
            // Named, so that its pool metrics carry a stable label rather than a random id.
            .setPoolName("coffer-redis")
            // A command is traced when the request that sends it is (and tracing is on).
            .setTracingPolicy(TracingPolicy.PROPAGATE);
    // A node that is gone must fail a call quickly, not after the OS's connect time-out.
    redisOptions.getNetClientOptions().setConnectTimeout((int) redis.timeout().toMillis() * 4);
    redis.nodes().forEach(redisOptions::addConnectionString);
    DatabasePools pools = DatabasePools.create(vertx, database);
    return new Infrastructure(
        pools,
        Ledger.create(pools, maxReplicaLag, groupCommit, tracing),
        Redis.createClient(vertx, redisOptions));
  }

  /** Closes the Redis client and the pools. */
  public Future<Void> close() {
    redis.close();
    return databases.close();
  }
}
