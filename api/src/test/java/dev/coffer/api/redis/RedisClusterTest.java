package dev.coffer.api.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.server.Infrastructure;
import dev.coffer.testkit.StackSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Coffer's Redis client talks to a real cluster: keys land on the master owning their slot. */
@ExtendWith(VertxExtension.class)
class RedisClusterTest {
  private Infrastructure infra;

  @BeforeEach
  void connect(Vertx vertx) {
    StackSettings stack = TestStack.get().settings();
    CofferConfig config = CofferConfig.from(stack.asEnvironment());
    infra =
        Infrastructure.create(
            vertx, config.database(), config.groupCommit(), config.redis(), config.maxReplicaLag());
  }

  @AfterEach
  void close() throws Exception {
    infra.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void keysInDifferentSlotsLandOnDifferentMasters(Vertx vertx) throws Exception {
    Redis redis = infra.redis();
    Map<String, String> written = new HashMap<>();
    String run = UUID.randomUUID().toString();
    for (int i = 0; i < 60; i++) {
      String key = "coffer-test:" + run + ":" + i;
      written.put(key, "v" + i);
      redis
          .send(Request.cmd(Command.SET).arg(key).arg("v" + i).arg("EX").arg(60))
          .await(5, TimeUnit.SECONDS);
    }
    // Every key reads back through the cluster client.
    for (var e : written.entrySet()) {
      Response value =
          redis.send(Request.cmd(Command.GET).arg(e.getKey())).await(5, TimeUnit.SECONDS);
      assertThat(value.toString()).isEqualTo(e.getValue());
    }

    // Ask each master directly which of our keys it holds.
    Response shards =
        redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS);
    Set<String> masters = new HashSet<>();
    for (Response range : shards) {
      Response master = range.get(2);
      masters.add(master.get(0).toString() + ":" + master.get(1).toInteger());
    }
    assertThat(masters).hasSize(3);

    Map<String, Integer> keysPerMaster = new HashMap<>();
    Set<String> found = new HashSet<>();
    for (String master : masters) {
      Redis direct =
          Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + master));
      try {
        // A node answers KEYS for its own slots only: no MOVED, no foreign keys.
        Response held =
            direct
                .send(Request.cmd(Command.KEYS).arg("coffer-test:" + run + ":*"))
                .await(5, TimeUnit.SECONDS);
        for (Response key : held) {
          assertThat(found.add(key.toString())).as("%s is held by one master only", key).isTrue();
          keysPerMaster.merge(master, 1, Integer::sum);
        }
      } finally {
        direct.close();
      }
    }
    assertThat(found).containsExactlyInAnyOrderElementsOf(written.keySet());
    assertThat(keysPerMaster).as("60 keys spread over every master").hasSize(3);
  }
}
