package dev.coffer.api.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogLinesTest {

  @Test
  void linesAreWrittenInOrderAndFlushedWhenTheQueueRunsDry() throws Exception {
    FlushRecordingStream out = new FlushRecordingStream();
    LogLines lines = new LogLines(out, 100);
    for (int i = 0; i < 50; i++) {
      lines.write("line " + i);
    }
    out.awaitFlushedText("line 49\n");
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      expected.append("line ").append(i).append('\n');
    }
    assertThat(out.flushedText()).isEqualTo(expected.toString());
    assertThat(lines.dropped()).isZero();
    lines.close();
  }

  @Test
  void aStuckOutputNeverHoldsTheWriterUpAndWhatDoesNotFitIsCounted() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch stuckInWrite = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream stuck =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            stuckInWrite.countDown();
            try {
              unblock.await();
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            written.write(b);
          }
        };
    LogLines lines = new LogLines(stuck, 10);
    // The writer takes the first line and sticks in it; ten more fill the queue; the rest drop.
    lines.write("x0");
    assertThat(stuckInWrite.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 100; i++) {
      lines.write("x" + i);
    }
    assertThat(lines.dropped()).isEqualTo(89);
    unblock.countDown();
    lines.close();
    String text = written.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("x0\nx1\n").contains("x9\n");
    assertThat(text.split("\n").length + lines.dropped()).isEqualTo(100);
  }

  @Test
  void closeWritesWhatIsQueuedAndLaterLinesAtOnce() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogLines lines = new LogLines(out, 1000);
    for (int i = 0; i < 500; i++) {
      lines.write("before " + i);
    }
    lines.close();
    lines.write("after");
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text.split("\n")).hasSize(501);
    assertThat(text).startsWith("before 0\n").endsWith("before 499\nafter\n");
  }

  /** Keeps what has been flushed apart from what is only written. */
  private static final class FlushRecordingStream extends OutputStream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final StringBuilder flushed = new StringBuilder();

    @Override
    public synchronized void write(int b) {
      pending.write(b);
    }

    @Override
    public synchronized void flush() {
      flushed.append(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
      notifyAll();
    }

    synchronized String flushedText() {
      return flushed.toString();
    }

    synchronized void awaitFlushedText(String ending) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!flushed.toString().endsWith(ending) && System.nanoTime() < deadline) {
        wait(100);
      }
    }
  }
}
