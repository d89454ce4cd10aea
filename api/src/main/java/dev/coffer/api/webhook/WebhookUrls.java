package dev.coffer.api.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which webhook URLs are acceptable: absolute http or https, a host, no user info, no fragment;
 * unless private addresses are allowed (tests), no loopback, private, link-local or otherwise
 * internal address, whether written as a literal or, at delivery time, resolved from a name. This
 * is what keeps a user from making the service call into its own network (SSRF).
 */
public final class WebhookUrls {
  private static final String INTERNAL = "must not point to this machine or an internal network";
  private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0x[0-9a-f]*");
  private static final Pattern CANONICAL_IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
  private static final Set<String> INTERNAL_NAMES =
      Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback");
  private static final List<String> INTERNAL_SUFFIXES =
      List.of(".localhost", ".internal", ".localdomain", ".local", ".home.arpa");

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
    if (name.startsWith("[")) {
      // A zone (fe80::1%lo) names an interface of this machine: never a public address.
      if (name.contains("%")) {
        return "must not name a network interface (an IPv6 zone)";
      }
      InetAddress literal = literal(name);
      return literal == null || isInternal(literal) ? INTERNAL : null;
    }
    // "localhost." is "localhost": a trailing dot only makes the name absolute.
    while (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      return "must name a host";
    }
    String last = name.substring(name.lastIndexOf('.') + 1);
    if (NUMERIC_LABEL.matcher(last).matches()) {
      // A host ending in a number is an IPv4 literal to every URL parser (WHATWG): "0",
      // "2130706433", "0x7f.1" and "0177.0.0.1" are loopback to most tools, while Java reads
      // "0177" as decimal. Only the one spelling all agree on is taken.
      if (!CANONICAL_IPV4.matcher(name).matches()) {
        return "an IPv4 address must be four decimal numbers 0-255 without leading zeros";
      }
      InetAddress literal = literal(name);
      return literal == null || isInternal(literal) ? INTERNAL : null;
    }
    String absolute = name;
    if (INTERNAL_NAMES.contains(absolute)
        || INTERNAL_SUFFIXES.stream().anyMatch(absolute::endsWith)) {
      return INTERNAL;
    }
    return null;
  }

  /**
   * Why {@code url} is refused once its host name is resolved as delivery resolves it (the
   * machine's resolver, /etc/hosts included), or null: a name any of whose addresses delivery would
   * refuse is refused now. Blocking: call it on a worker thread. A name that does not resolve is
   * left to delivery (DNS may be down for a moment).
   */
  public static String resolvedRefusal(String url, boolean allowPrivate) {
    String refusal = refusal(url, allowPrivate);
    if (refusal != null || allowPrivate) {
      return refusal;
    }
    String host = URI.create(url).getHost();
    if (host.startsWith("[") || NUMERIC_LABEL.matcher(lastLabel(host)).matches()) {
      return null; // a literal, judged above
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (isInternal(address)) {
          return INTERNAL;
        }
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }

  private static String lastLabel(String host) {
    String name = host;
    while (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.substring(name.lastIndexOf('.') + 1);
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
          || (first == 198 && (second == 18 || second == 19)) // benchmarking (RFC 2544)
          || first >= 240; // reserved, broadcast
    }
    if (address instanceof Inet6Address) {
      // Unique local (fc00::/7), and IPv4-mapped or -compatible forms of an internal address.
      if ((b[0] & 0xfe) == 0xfc) {
        return true;
      }
      // 6to4 (2002::/16) carries an IPv4 address in bytes 2-5, NAT64 (64:ff9b::/96) in the last
      // four: judged as that address. Local-use NAT64 (64:ff9b:1::/48) and Teredo (2001::/32,
      // whose IPv4 address is obscured) are refused whole.
      int word0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
      int word1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
      if (word0 == 0x2002) {
        return embeddedIsInternal(b[2], b[3], b[4], b[5]);
      }
      if (word0 == 0x0064 && word1 == 0xff9b) {
        boolean wellKnown = true;
        for (int i = 4; i < 12; i++) {
          wellKnown &= b[i] == 0;
        }
        return !wellKnown || embeddedIsInternal(b[12], b[13], b[14], b[15]);
      }
      if (word0 == 0x2001 && word1 == 0) {
        return true;
      }
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped
          && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
        return embeddedIsInternal(b[12], b[13], b[14], b[15]);
      }
    }
    return false;
  }

  private static boolean embeddedIsInternal(byte a, byte b, byte c, byte d) {
    try {
      return isInternal(InetAddress.getByAddress(new byte[] {a, b, c, d}));
    } catch (UnknownHostException e) {
      return true;
    }
  }

  // The address a literal host names (a canonical dotted quad, or IPv6 in brackets), without any
  // DNS look-up; null when it is none.
  private static InetAddress literal(String host) {
    try {
      if (host.startsWith("[")) {
        return InetAddress.getByName(host.substring(1, host.length() - 1));
      }
      if (CANONICAL_IPV4.matcher(host).matches()) {
        return InetAddress.getByName(host);
      }
    } catch (UnknownHostException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
