package dev.coffer.api.dashboard;

import dev.coffer.api.http.OperationHandlers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /dashboard}: one self-contained page (HTML, CSS and JS, nothing fetched from anywhere
 * else) that logs in, lets the user choose accounts and shows their balances and newest entries
 * live over {@code /v1/stream}, reconnecting with {@code since} by itself.
 */
public final class DashboardRoutes {
  private static final CharSequence HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
  // Only this origin: the page's own inline code, its API and its stream.
  private static final CharSequence POLICY =
      HttpHeaders.createOptimized(
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
              + " connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none';"
              + " form-action 'none'; frame-ancestors 'none'");
  private final Buffer page;

  /** Reads the page once, at start-up. */
  public DashboardRoutes() {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream("/dashboard/index.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard/index.html is missing from the jar");
      }
      page = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void addTo(OperationHandlers handlers) {
    handlers.raw(
        "getDashboard",
        ctx ->
            ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, HTML)
                .putHeader("Content-Security-Policy", POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(page));
  }
}
