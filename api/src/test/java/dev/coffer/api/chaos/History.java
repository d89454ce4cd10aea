package dev.coffer.api.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the clients saw: every operation with its definitive answer, every non-definitive answer by
 * kind, the longest wait for a definitive one, and anything a client found wrong by itself.
 */
final class History {
  private final ConcurrentLinkedQueue<List<Operation>> perClient = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> anomalies = new ConcurrentLinkedQueue<>();
  private final AtomicLong longestWaitNanos = new AtomicLong();
  private final LongAdder replayed = new LongAdder();
  private final LongAdder resends = new LongAdder();
  private final ConcurrentLinkedQueue<long[]> moneyWrites = new ConcurrentLinkedQueue<>();

  /** A list for one client thread to append to without contention. */
  List<Operation> newClientLog() {
    List<Operation> log = new ArrayList<>();
    perClient.add(log);
    return log;
  }

  /** Builds a history from operations given whole (the auditor's tests). */
  static History of(Collection<Operation> operations) {
    History history = new History();
    history.newClientLog().addAll(operations);
    return history;
  }

  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  void anomaly(String what) {
    anomalies.add(what);
  }

  void waited(long nanos) {
    longestWaitNanos.accumulateAndGet(nanos, Math::max);
  }

  /** A request that moves money was answered 201: when it was sent, and when answered. */
  void moneyWritten(long sentNanos, long answeredNanos) {
    moneyWrites.add(new long[] {sentNanos, answeredNanos});
  }

  /**
   * When the first request sent after {@code nanos} that moved money was answered 201 (the writes
   * are back), or -1 while there is none.
   */
  long firstMoneyWriteSentAfter(long nanos) {
    long first = -1;
    for (long[] write : moneyWrites) {
      if (write[0] > nanos && (first < 0 || write[1] < first)) {
        first = write[1];
      }
    }
    return first;
  }

  void replayed() {
    replayed.increment();
  }

  void resent() {
    resends.increment();
  }

  /** Every operation; call once the clients have stopped. */
  List<Operation> operations() {
    List<Operation> all = new ArrayList<>();
    perClient.forEach(all::addAll);
    return all;
  }

  Map<String, Long> errors() {
    Map<String, Long> sorted = new TreeMap<>();
    errors.forEach((kind, count) -> sorted.put(kind, count.sum()));
    return sorted;
  }

  List<String> anomalies() {
    return List.copyOf(anomalies);
  }

  long longestWaitMillis() {
    return longestWaitNanos.get() / 1_000_000;
  }

  long replayedAnswers() {
    return replayed.sum();
  }

  long resends() {
    return resends.sum();
  }
}
