package dev.coffer.api.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which webhook URLs are acceptable: absolute http or https, a host, no user info, no fragment;
 * unless private addresses are allowed (tests), no loopback, private, link-local or otherwise
 * internal address, whether written as a literal or, at delivery time, resolved from a name. This
 * is what keeps a user from making the service call into its own network (SSRF).
 */
public final class WebhookUrls {
  private static final Pattern IPV4 = Pattern.compile("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$");

  private WebhookUrls() {}

  /** Why {@code url} is refused, or null when it is acceptable. */
  public static String refusal(String url, boolean allowPrivate) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "must be an absolute http or https URL";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "must be an absolute http or https URL";
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return "must name a host";
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      return "must not carry user info or a fragment";
    }
    if (allowPrivate) {
      return null;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.equals("localhost") || name.endsWith(".localhost") || name.endsWith(".internal")) {
      return "must not point to this machine or an internal network";
    }
    InetAddress literal = literal(host);
    if (literal != null && isInternal(literal)) {
      return "must not point to this machine or an internal network";
    }
    return null;
  }

  /** Whether {@code address} is loopback, private, link-local, unspecified, multicast, ... */
  public static boolean isInternal(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isSiteLocalAddress()
        || address.isLinkLocalAddress()
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 // "this" network
          || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT
          || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          || first >= 240; // reserved, broadcast
    }
    if (address instanceof Inet6Address) {
      // Unique local (fc00::/7), and IPv4-mapped or -compatible forms of an internal address.
      if ((b[0] & 0xfe) == 0xfc) {
        return true;
      }
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped
          && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
        try {
          return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }

  // The address a literal host names (IPv4 dotted, or IPv6 in brackets), without any DNS look-up;
  // null for a name.
  private static InetAddress literal(String host) {
    try {
      if (host.startsWith("[") || host.contains(":")) {
        return InetAddress.getByName(host.replace("[", "").replace("]", ""));
      }
      if (IPV4.matcher(host).matches()) {
        return InetAddress.getByName(host);
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }
}
