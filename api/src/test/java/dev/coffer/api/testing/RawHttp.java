package dev.coffer.api.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Bytes on a plain socket, for what no well-behaved HTTP client would send: broken framing, slow
 * heads, unknown transfer codings.
 */
public final class RawHttp {
  private RawHttp() {}

  /** What the server wrote back and whether it closed the connection. */
  public record Exchange(String text, boolean closed) {
    /** How many responses the server wrote. */
    public int responses() {
      return text.split("HTTP/1\\.[01] \\d{3} ", -1).length - 1;
    }

    /** The status line's code of the first response, or -1. */
    public int status() {
      return text.startsWith("HTTP/1.") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }

    /** The first response's body. */
    public String body() {
      int start = text.indexOf("\r\n\r\n");
      return start < 0 ? "" : text.substring(start + 4);
    }

    /** The value of header {@code name} of the first response (case-insensitive), or null. */
    public String header(String name) {
      int end = text.indexOf("\r\n\r\n");
      for (String line : text.substring(0, Math.max(end, 0)).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /**
   * Sends {@code request} and reads until the server closes the connection or stays silent for
   * {@code silenceMillis}.
   */
  public static Exchange exchange(int port, String request, int silenceMillis) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(silenceMillis);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readAll(socket, socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code in} until end of stream or a read times out. */
  public static Exchange readAll(Socket socket, InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    boolean closed = false;
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      // silence: the connection is still open
    } catch (IOException e) {
      closed = true; // reset by the server
    }
    return new Exchange(out.toString(StandardCharsets.ISO_8859_1), closed);
  }
}
