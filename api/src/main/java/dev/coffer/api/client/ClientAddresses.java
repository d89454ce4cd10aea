package dev.coffer.api.client;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client's IP address: the connection's peer, unless that peer is a trusted proxy, in which
 * case {@code X-Forwarded-For} is read from the right, skipping trusted proxies, and the first
 * address that is not one is the client. Anyone else's {@code X-Forwarded-For} is ignored, so a
 * client cannot pick its own address to dodge a per-IP limit.
 */
public final class ClientAddresses {
  private final List<Network> trusted;

  private ClientAddresses(List<Network> trusted) {
    this.trusted = trusted;
  }

  /** Trusts the proxies in {@code networks} (CIDR, e.g. {@code 10.0.0.0/8}, {@code ::1/128}). */
  public static ClientAddresses trusting(List<String> networks) {
    List<Network> parsed = new ArrayList<>();
    for (String network : networks) {
      parsed.add(Network.parse(network));
    }
    return new ClientAddresses(parsed);
  }

  /** The client address of {@code request}. */
  public String of(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    return of(
        peer == null ? "unknown" : peer.hostAddress(), request.headers().getAll("X-Forwarded-For"));
  }

  /** The client address for a connection from {@code peer} with these X-Forwarded-For headers. */
  public String of(String peer, List<String> forwardedFor) {
    String address = peer;
    if (!isTrusted(address)) {
      return address;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      if (!isLiteral(hop)) {
        return address; // garbage in the header: trust only what we saw
      }
      if (!isTrusted(hop)) {
        return hop;
      }
      address = hop;
    }
    return address;
  }

  private boolean isTrusted(String address) {
    byte[] bytes = literal(address);
    return bytes != null && trusted.stream().anyMatch(n -> n.contains(bytes));
  }

  private static boolean isLiteral(String text) {
    return literal(text) != null;
  }

  // Only IP literals: never a DNS lookup on a header a client controls. InetAddress parses a
  // dotted quad or anything with a colon as a literal, and would resolve anything else ("cafe").
  private static final Pattern LITERAL =
      Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");

  static byte[] literal(String text) {
    if (text == null || !LITERAL.matcher(text).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** A CIDR block. */
  record Network(byte[] prefix, int bits) {
    static Network parse(String cidr) {
      String[] parts = cidr.trim().split("/", 2);
      byte[] address = literal(parts[0]);
      if (address == null) {
        throw new IllegalArgumentException("not an IP network: " + cidr);
      }
      int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
      if (bits < 0 || bits > address.length * 8) {
        throw new IllegalArgumentException("bad prefix length in " + cidr);
      }
      return new Network(address, bits);
    }

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      for (int bit = 0; bit < bits; bit++) {
        int mask = 0x80 >> (bit % 8);
        if ((address[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
