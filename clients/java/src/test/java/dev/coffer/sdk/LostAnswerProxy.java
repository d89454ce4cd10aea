package dev.coffer.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of Coffer that loses answers: on its first {@code losses} connections it
 * forwards the request, waits until the service starts answering (so the request was handled), then
 * closes the client's connection without a byte of the answer. Later connections are passed through
 * both ways.
 */
final class LostAnswerProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final AtomicInteger lossesLeft;
  private final AtomicInteger connections = new AtomicInteger();

  LostAnswerProxy(int target, int losses) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.lossesLeft = new AtomicInteger(losses);
    Thread accept = new Thread(this::accept, "lost-answer-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  int connections() {
    return connections.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        connections.incrementAndGet();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        boolean lose = lossesLeft.getAndDecrement() > 0;
        pipe(client, server, "up");
        if (lose) {
          loseAnswer(server, client);
        } else {
          pipe(server, client, "down");
        }
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private static void loseAnswer(Socket server, Socket client) {
    Thread thread =
        new Thread(
            () -> {
              try (server;
                  client) {
                // The first byte of the status line: the service has handled the request.
                server.getInputStream().read();
              } catch (IOException e) {
                // Closed either way.
              }
            },
            "lost-answer");
    thread.setDaemon(true);
    thread.start();
  }

  private static void pipe(Socket from, Socket to, String name) {
    Thread thread =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // One side went away: so does the other.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "proxy-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
