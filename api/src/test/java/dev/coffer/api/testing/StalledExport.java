package dev.coffer.api.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An export asked for over a plain socket whose client then stops reading: a small receive window,
 * and nothing read past the status line, so the server's write queue fills and stays full.
 */
public final class StalledExport implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final int status;

  private StalledExport(Socket socket, InputStream in, int status) {
    this.socket = socket;
    this.in = in;
    this.status = status;
  }

  /** Sends {@code GET path} with {@code token} and reads the status line only. */
  public static StalledExport open(int port, String path, String token) {
    Socket socket = new Socket();
    try {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: coffer\r\nAuthorization: Bearer "
                      + token
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("closed before a status line");
        }
        line.append((char) b);
      }
      return new StalledExport(socket, in, Integer.parseInt(line.substring(9, 12)));
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw new UncheckedIOException(e);
    }
  }

  /** Turns this client into one that reads: everything that comes is read and dropped. */
  public StalledExport readInBackground() {
    Thread reader =
        new Thread(
            () -> {
              byte[] buffer = new byte[65536];
              try {
                socket.setSoTimeout(0);
                while (in.read(buffer) >= 0) {
                  // dropped
                }
              } catch (IOException closed) {
                // the test closed the socket
              }
            },
            "export-reader");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  public int status() {
    return status;
  }

  /**
   * Reads what is left until the server closes or resets the connection; fails when it is still
   * open after {@code bound}. Answers the bytes read (the rest of the head and what body came).
   */
  public String readUntilClosed(Duration bound) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + bound.toNanos();
    byte[] buffer = new byte[65536];
    try {
      socket.setSoTimeout(1000);
      while (true) {
        try {
          int n = in.read(buffer);
          if (n < 0) {
            return all.toString(StandardCharsets.ISO_8859_1);
          }
          all.write(buffer, 0, n);
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("the export's connection is still open after " + bound);
          }
        }
      }
    } catch (SocketException e) {
      return all.toString(StandardCharsets.ISO_8859_1); // reset by the server: closed too
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
