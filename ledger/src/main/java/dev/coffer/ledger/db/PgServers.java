package dev.coffer.ledger.db;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The servers a pool may connect to, from a {@code postgresql://} URI in libpq's spelling: one host
 * or several ({@code postgresql://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write}), and
 * which of them a connection wants ({@link TargetSession}). One host without {@code
 * target_session_attrs} is used as it is, with no probe.
 */
public record PgServers(List<PgConnectOptions> hosts, TargetSession target) {
  private static final String TARGET = "target_session_attrs";

  public PgServers {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a database URI needs at least one host");
    }
    hosts = List.copyOf(hosts);
  }

  /** One server, used as it is. */
  public static PgServers of(PgConnectOptions server) {
    return new PgServers(List.of(server), TargetSession.ANY);
  }

  /**
   * Parses a URI with one or more {@code host:port} pairs separated by commas (libpq's multi-host
   * form) and an optional {@code target_session_attrs}; everything else is the Vert.x client's own
   * URI syntax, applied to every host alike.
   */
  public static PgServers fromUri(String uri) {
    int scheme = uri.indexOf("://");
    if (scheme < 0) {
      throw new IllegalArgumentException("not a postgresql:// URI");
    }
    String prefix = uri.substring(0, scheme + 3);
    String rest = uri.substring(scheme + 3);
    int hostsEnd = indexOfAny(rest, "/?");
    String authority = hostsEnd < 0 ? rest : rest.substring(0, hostsEnd);
    String tail = hostsEnd < 0 ? "" : rest.substring(hostsEnd);
    int at = authority.lastIndexOf('@');
    String userInfo = at < 0 ? "" : authority.substring(0, at + 1);
    String hostList = authority.substring(at + 1);

    TargetSession target = TargetSession.ANY;
    int query = tail.indexOf('?');
    if (query >= 0) {
      List<String> kept = new ArrayList<>();
      for (String pair : tail.substring(query + 1).split("&")) {
        if (pair.startsWith(TARGET + "=")) {
          target =
              TargetSession.parse(
                  URLDecoder.decode(pair.substring(TARGET.length() + 1), StandardCharsets.UTF_8));
        } else if (!pair.isEmpty()) {
          kept.add(pair);
        }
      }
      // The Vert.x client would send an unknown parameter to the server as a setting of its own.
      tail = tail.substring(0, query) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }
    List<PgConnectOptions> hosts = new ArrayList<>();
    for (String host : hostList.split(",")) {
      if (host.isBlank()) {
        throw new IllegalArgumentException("empty host in the host list '" + hostList + "'");
      }
      hosts.add(PgConnectOptions.fromUri(prefix + userInfo + host + tail));
    }
    return new PgServers(hosts, target);
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a connection must first find its server (several hosts, or a role to check). */
  public boolean needsLocating() {
    return hosts.size() > 1 || target != TargetSession.ANY;
  }

  /** The first host: where a single-server pool connects, and whose user and database all share. */
  public PgConnectOptions first() {
    return hosts.get(0);
  }

  /** {@code host:port,host:port}, for logs and errors (no credentials). */
  public String describe() {
    return hosts.stream().map(PgServers::address).collect(Collectors.joining(","));
  }

  /** {@code host:port} of one server. */
  public static String address(PgConnectOptions host) {
    return host.getHost() + ":" + host.getPort();
  }

  /**
   * The JDBC URL of these servers, for Liquibase (which speaks JDBC only): the PostgreSQL JDBC
   * driver takes the same host list and finds the primary itself ({@code targetServerType}).
   */
  public String jdbcUrl() {
    List<String> parameters = new ArrayList<>();
    switch (target) {
      case ANY -> {}
      case READ_WRITE, PRIMARY -> parameters.add("targetServerType=primary");
      case READ_ONLY, STANDBY -> parameters.add("targetServerType=secondary");
      case PREFER_STANDBY -> parameters.add("targetServerType=preferSecondary");
    }
    // The Vert.x client's default is no TLS; a URI that asks for it gets it for migrations too.
    if (first().getSslMode() != SslMode.DISABLE) {
      parameters.add(
          "sslmode=" + first().getSslMode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    String url = "jdbc:postgresql://" + describe() + "/" + first().getDatabase();
    return parameters.isEmpty() ? url : url + "?" + String.join("&", parameters);
  }
}
