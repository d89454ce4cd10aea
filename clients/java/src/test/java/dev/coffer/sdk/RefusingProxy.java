package dev.coffer.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of Coffer whose first {@code refusals} requests are answered by the proxy
 * itself with {@code answer} (what an overloaded gateway or instance says), without reaching the
 * service; later connections are passed through.
 */
final class RefusingProxy implements AutoCloseable {
  private static final Pattern LENGTH = Pattern.compile("\r\ncontent-length: *(\\d+)");

  private final ServerSocket listener;
  private final int target;
  private final String answer;
  private final AtomicInteger refusalsLeft;

  RefusingProxy(int target, int refusals, int status, String code, String retryAfter)
      throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.refusalsLeft = new AtomicInteger(refusals);
    String body =
        "{\"type\":\"urn:coffer:problem:%s\",\"title\":\"refused\",\"status\":%d,\"code\":\"%s\"}"
            .formatted(code, status, code);
    this.answer =
        "HTTP/1.1 %d Refused\r\nContent-Type: application/problem+json\r\nRetry-After: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            .formatted(status, retryAfter, body.length(), body);
    Thread accept = new Thread(this::accept, "refusing-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        if (refusalsLeft.getAndDecrement() > 0) {
          refuse(client);
        } else {
          Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
          pipe(client, server);
          pipe(server, client);
        }
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  // Reads the whole request first, so that closing does not reset the connection under it.
  private void refuse(Socket client) throws IOException {
    try (client) {
      InputStream in = client.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.write(b);
      }
      Matcher length =
          LENGTH.matcher(head.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
      in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
      OutputStream out = client.getOutputStream();
      out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
  }

  private static void pipe(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // One side went away: so does the other.
              } finally {
                try {
                  from.close();
                  to.close();
                } catch (IOException e) {
                  // Already closed.
                }
              }
            },
            "refusing-proxy-pipe");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
