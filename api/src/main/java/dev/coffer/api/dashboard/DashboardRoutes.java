package dev.coffer.api.dashboard;

import dev.coffer.api.digest.Digests;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.StaticFiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /dashboard}: one self-contained page (HTML, CSS and JS, nothing fetched from anywhere
 * else) that logs in and shows the user's accounts live over {@code /v1/stream}: balances, a feed
 * of entries paged back through the REST API, money in and out, pending holds; reconnecting with
 * {@code since} by itself.
 */
public final class DashboardRoutes {
  private static final CharSequence HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
  private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
  private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);
  private static final CharSequence SCRIPT_TYPE =
      HttpHeaders.createOptimized("text/javascript; charset=utf-8");

  /** The worker's own policy: no script but itself, connections to this origin only. */
  static final String WORKER_POLICY = "default-src 'none'; connect-src 'self'";

  private final Buffer page = StaticFiles.read("/dashboard/index.html");
  // The page is hashed once, at start-up, for its policy.
  private final CharSequence policy =
      HttpHeaders.createOptimized(policy(page.toString(StandardCharsets.UTF_8)));
  private final Buffer worker = StaticFiles.read("/dashboard/stream-worker.js");

  /**
   * The Content-Security-Policy of {@code html}: only its own inline script and style, named by
   * their SHA-256 (no 'unsafe-inline': an injected script or style would not run), and connections
   * to this origin only ('self' covers the same host's ws: and wss:). Trusted Types with no policy
   * make every assignment of a string to an HTML sink (innerHTML, outerHTML, insertAdjacentHTML,
   * document.write) throw: the page can only build its DOM from text nodes.
   */
  static String policy(String html) {
    return "default-src 'none'; script-src "
        + hashes(SCRIPT, html)
        + "; style-src "
        + hashes(STYLE, html)
        + "; connect-src 'self'; worker-src 'self'; img-src 'self' data:; base-uri 'none';"
        + " form-action 'none';"
        + " frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types dashboard";
  }

  private static String hashes(Pattern element, String html) {
    StringJoiner sources = new StringJoiner(" ");
    Matcher m = element.matcher(html);
    while (m.find()) {
      sources.add("'sha256-" + Digests.sha256Base64(m.group(1)) + "'");
    }
    return sources.length() == 0 ? "'none'" : sources.toString();
  }

  public void addTo(OperationHandlers handlers) {
    handlers.raw("getDashboard", StaticFiles.serve(page, HTML, policy, "no-cache"));
    handlers.raw(
        "getDashboardStreamWorker",
        StaticFiles.serve(worker, SCRIPT_TYPE, WORKER_POLICY, "no-cache"));
  }
}
