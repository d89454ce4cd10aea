package dev.coffer.api.logging;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Log lines written to an output stream by one background thread, so that no event loop ever waits
 * on stdout (a slow log collector stalls a pipe; {@code println} flushes, one system call per line,
 * under a lock every thread shares). Lines queue up to a bound; past it they are dropped and
 * counted ({@code coffer_log_lines_dropped_total}), because a request must never wait for its log
 * line. Writers never wake the background thread (a wake-up per line would cost what it saves): it
 * takes whatever has queued, writes it, flushes, and when nothing is left naps for a millisecond,
 * so a line reaches stdout within about that. After {@link #close} lines are written on the
 * caller's thread, so the last words of a stopping service are kept.
 */
public final class LogLines implements MeterBinder, AutoCloseable {
  private static final int BATCH = 512;
  private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final OutputStream out;
  private final BlockingQueue<String> queue;
  private final LongAdder dropped = new LongAdder();
  private final Thread writer;
  private volatile boolean closing;
  private volatile boolean closed;

  public LogLines(OutputStream out, int capacity) {
    this.out = out;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = new Thread(this::writeUntilStopped, "coffer-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues {@code line} (without its line end), or drops it when the queue is full. */
  public void write(String line) {
    if (closed) {
      writeNow(List.of(line));
      return;
    }
    if (!queue.offer(line)) {
      dropped.increment();
    }
  }

  /** Lines dropped so far because the queue was full. */
  public long dropped() {
    return dropped.sum();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("coffer.log.lines.dropped", dropped, LongAdder::sum)
        .description("log lines dropped because the writer fell behind")
        .register(registry);
  }

  /** Writes what is queued, then stops the writer; later lines are written at once. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closing = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    List<String> left = new ArrayList<>();
    queue.drainTo(left);
    writeNow(left);
  }

  private void writeUntilStopped() {
    List<String> batch = new ArrayList<>(BATCH);
    while (!closing) {
      if (queue.drainTo(batch, BATCH) == 0) {
        LockSupport.parkNanos(this, NAP_NANOS);
        continue;
      }
      writeNow(batch);
      batch.clear();
    }
  }

  private synchronized void writeNow(List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    try {
      for (String line : lines) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
      if (queue.isEmpty()) {
        out.flush();
      }
    } catch (IOException e) {
      // Nowhere left to report it: stdout itself is failing.
      dropped.add(lines.size());
    }
  }
}
