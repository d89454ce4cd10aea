package dev.coffer.ledger;

import static dev.coffer.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.db.Committed;
import dev.coffer.ledger.db.WriteTracing;
import dev.coffer.ledger.db.WriteTransactions;
import dev.coffer.ledger.idempotency.IdempotencyKey;
import dev.coffer.ledger.idempotency.Outcome;
import dev.coffer.ledger.idempotency.StoredResponse;
import dev.coffer.ledger.transfer.GroupCommitSettings;
import dev.coffer.ledger.transfer.Transfer;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferService;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The events a write produces keep the trace context its caller had when it handed the write over
 * (changeset 040): one per transaction, and in a group commit each move its own, never another
 * member's nor the group's; no trace context, no value.
 */
@ExtendWith(LedgerExtension.class)
class EventTraceContextTest {
  private static final java.util.function.Function<Transfer, StoredResponse> RENDER =
      t ->
          new StoredResponse(201, ("{\"id\":\"" + t.id() + "\"}").getBytes(StandardCharsets.UTF_8));

  /** Hands out whatever {@code current} holds, as a tracer would the caller's span. */
  private static final class Stub implements WriteTracing {
    volatile String current;
    final List<List<String>> groups = new CopyOnWriteArrayList<>();

    @Override
    public String traceparent() {
      return current;
    }

    @Override
    public <T> Future<T> group(List<String> members, Supplier<Future<T>> run) {
      groups.add(members);
      return run.get();
    }
  }

  private static String traceparent(int n) {
    return String.format("00-%032x-%016x-01", 0xabc000L + n, 0xdef000L + n);
  }

  @Test
  void aTransactionsEventsKeepItsCallersTraceContext(LedgerFixture ledger) {
    Stub tracing = new Stub();
    TransferService traced =
        new TransferService(new WriteTransactions(ledger.pools.primary(), tracing), ledger.reads);
    UUID user = ledger.newUser();
    UUID account = ledger.openAccount(user, "EUR", 0);

    tracing.current = traceparent(1);
    UUID tracedId =
        await(traced.move(user, TransferRequest.deposit(account, 100, null))).value().id();
    tracing.current = null;
    UUID untracedId =
        await(traced.move(user, TransferRequest.deposit(account, 100, null))).value().id();

    assertThat(traces(ledger, List.of(tracedId))).containsOnly(Map.entry(tracedId, traceparent(1)));
    assertThat(traces(ledger, List.of(untracedId))).containsOnly(Map.entry(untracedId, "none"));
  }

  @Test
  void inAGroupEachMovesEventsKeepTheirOwnRequestsTraceContext(LedgerFixture ledger) {
    Stub tracing = new Stub();
    // One group at a time: what is submitted while the first runs goes together in the next.
    TransferService grouped =
        new TransferService(
            new WriteTransactions(ledger.pools.primary(), tracing),
            ledger.reads,
            new GroupCommitSettings(true, 16, 1));
    UUID user = ledger.newUser();
    UUID account = ledger.openAccount(user, "EUR", 0);

    List<Future<Committed<Outcome<Transfer>>>> answers = new ArrayList<>();
    Map<Integer, String> given = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      // Every third untraced (not sampled): its events keep nothing, not a neighbour's trace.
      tracing.current = i % 3 == 2 ? null : traceparent(100 + i);
      given.put(i, tracing.current == null ? "none" : tracing.current);
      answers.add(
          grouped.move(
              user,
              TransferRequest.deposit(account, 10 + i, null),
              new IdempotencyKey(user, "k-" + i, "deposit " + i),
              RENDER));
    }
    tracing.current = null;
    await(Future.all(answers));

    List<UUID> ids = new ArrayList<>();
    Map<UUID, String> expected = new HashMap<>();
    for (int i = 0; i < answers.size(); i++) {
      UUID id = answers.get(i).result().value().value().id();
      ids.add(id);
      expected.put(id, given.get(i));
    }
    assertThat(traces(ledger, ids)).isEqualTo(expected);
    // Some group held several moves, and the tracer was told each member's context.
    assertThat(tracing.groups).anySatisfy(members -> assertThat(members).hasSizeGreaterThan(1));
    assertThat(tracing.groups.stream().flatMap(List::stream).filter(m -> m != null))
        .containsExactlyInAnyOrderElementsOf(
            given.values().stream().filter(v -> !v.equals("none")).toList());
  }

  // Each transfer's events' traceparent ("none" for NULL); every event of a transfer has the same.
  private static Map<UUID, String> traces(LedgerFixture ledger, List<UUID> transfers) {
    Map<UUID, String> found = new HashMap<>();
    for (Row row :
        await(
            ledger
                .pools
                .primary()
                .preparedQuery(
                    "SELECT DISTINCT transfer_id, coalesce(traceparent, 'none') AS t FROM events"
                        + " WHERE transfer_id = ANY($1)")
                .execute(Tuple.of(transfers.toArray(UUID[]::new))))) {
      String before = found.put(row.getUUID("transfer_id"), row.getString("t"));
      assertThat(before).as("one trace context per transfer").isNull();
    }
    return found;
  }
}
