package dev.coffer.ledger.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.testkit.StackSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replica pool reaches a real hot standby that streams from the primary. */
@ExtendWith(VertxExtension.class)
class ReplicationTest {
  private DatabasePools pools;

  @BeforeEach
  void connect(Vertx vertx) {
    StackSettings stack = TestStack.get().settings();
    pools =
        DatabasePools.create(
            vertx, DatabaseSettings.fromUris(stack.pgPrimary(), stack.pgReplica()));
  }

  @AfterEach
  void close() throws Exception {
    pools.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void primaryIsWritableAndReplicaIsAStandby() throws Exception {
    assertThat(inRecovery(pools.primary())).isFalse();
    assertThat(inRecovery(pools.replica())).isTrue();
  }

  @Test
  void aRowWrittenOnThePrimaryBecomesVisibleOnTheReplica() throws Exception {
    pools
        .primary()
        .query(
            "CREATE TABLE IF NOT EXISTS stack_probe"
                + " (id uuid PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())")
        .execute()
        .await(10, TimeUnit.SECONDS);
    UUID id = UUID.randomUUID();
    pools
        .primary()
        .preparedQuery("INSERT INTO stack_probe (id) VALUES ($1)")
        .execute(Tuple.of(id))
        .await(10, TimeUnit.SECONDS);

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long seen = 0;
    while (seen == 0 && System.nanoTime() < deadline) {
      seen =
          pools
              .replica()
              .preparedQuery("SELECT count(*) FROM stack_probe WHERE id = $1")
              .execute(Tuple.of(id))
              .map(rows -> rows.iterator().next().getLong(0))
              .recover(e -> Future.succeededFuture(0L)) // the table itself may not be replayed yet
              .await(10, TimeUnit.SECONDS);
      if (seen == 0) {
        Thread.sleep(20);
      }
    }
    assertThat(seen).as("the replica replays the primary's insert").isEqualTo(1L);
  }

  private static boolean inRecovery(Pool pool) throws Exception {
    return pool.query("SELECT pg_is_in_recovery()")
        .execute()
        .await(10, TimeUnit.SECONDS)
        .iterator()
        .next()
        .getBoolean(0);
  }
}
