package dev.coffer.ledger.db;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import dev.coffer.testkit.StackSettings;
import dev.coffer.testkit.TestStack;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 27, finding 1: the replica's holding pool full (of exports whose clients do not read) is
 * this instance's overload, not a broken replica: a read that timed out waiting for a connection is
 * refused as overload, and neither runs on the primary nor sends the other reads there.
 */
@ExtendWith(LedgerExtension.class) // migrates the stack
class ReplicaSaturationTest {
  @Test
  void aPoolWaitTimeoutNeverMarksTheReplicaDownNorMovesTheReadToThePrimary(LedgerFixture unused) {
    StackSettings stack = TestStack.get().settings();
    DatabaseSettings defaults = DatabaseSettings.fromUris(stack.pgPrimary(), stack.pgReplica());
    // Two replica connections: one for the pipelining client, one to hold.
    DatabaseSettings small =
        new DatabaseSettings(
            defaults.primary(),
            defaults.replica(),
            2,
            2,
            16,
            Duration.ofMillis(1000),
            DatabaseSettings.DEFAULT_REPLICA_PIPELINING,
            DatabaseSettings.DEFAULT_TCP_USER_TIMEOUT);
    Vertx vertx = Vertx.vertx();
    DatabasePools pools = DatabasePools.create(vertx, small);
    try {
      ReadRouter reads =
          new ReadRouter(pools.primary(), pools.replica(), pools.replicaReads(), Duration.ZERO);
      SqlConnection held = await(pools.replica().getConnection());
      Future<Boolean> read =
          reads.readOnConnection(
              ConsistencyToken.NONE,
              pool ->
                  pool.withConnection(
                      conn ->
                          conn.query("SELECT pg_is_in_recovery()")
                              .execute()
                              .map(rows -> rows.iterator().next().getBoolean(0))));
      Throwable failure = await(read.transform(ar -> Future.succeededFuture(ar.cause())));
      assertThat(failure).as("a read that found no free replica connection").isNotNull();
      assertThat(PoolSaturation.is(failure)).as(String.valueOf(failure)).isTrue();
      assertThat(reads.replicaUsable()).as("the replica is still used for reads").isTrue();
      // The export's way: the replica only, whatever its pool is doing.
      assertThat(await(reads.replicaOnly(ConsistencyToken.NONE, Duration.ZERO)))
          .isSameAs(pools.replica());
      await(held.close());
      Boolean inRecovery =
          await(
              reads.readOnConnection(
                  ConsistencyToken.NONE,
                  pool ->
                      pool.withConnection(
                          conn ->
                              conn.query("SELECT pg_is_in_recovery()")
                                  .execute()
                                  .map(rows -> rows.iterator().next().getBoolean(0)))));
      assertThat(inRecovery).as("served by the replica").isTrue();
    } finally {
      await(pools.close());
      await(vertx.close());
    }
  }
}
