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

/**
 * Log lines written to an output stream by one background thread, so that no event loop ever waits
 * on stdout (a slow log collector stalls a pipe; {@code println} flushes, one system call per line,
 * under a lock every thread shares). Lines queue up to a bound; past it they are dropped and
 * counted ({@code coffer_log_lines_dropped_total}), because a request must never wait for its log
 * line. The writer flushes whenever the queue runs dry, so a quiet service's lines appear at once.
 * After {@link #close} lines are written on the caller's thread, so the last words of a stopping
 * service are kept.
 */
public final class LogLines implements MeterBinder, AutoCloseable {
  private static final String STOP = new String("stop");
  private static final int BATCH = 256;

  private final OutputStream out;
  private final BlockingQueue<String> queue;
  private final LongAdder dropped = new LongAdder();
  private final Thread writer;
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
    closed = true;
    try {
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> left = new ArrayList<>();
    queue.drainTo(left);
    left.remove(STOP);
    writeNow(left);
  }

  private void writeUntilStopped() {
    List<String> batch = new ArrayList<>(BATCH);
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch, BATCH - 1);
        boolean stop = batch.remove(STOP);
        writeNow(batch);
        batch.clear();
        if (stop) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void writeNow(List<String> lines) {
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
