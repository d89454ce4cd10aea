package dev.coffer.api.docs;

import dev.coffer.api.http.OperationHandlers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /docs}: the contract rendered by Redoc, whose standalone bundle is in the jar (the
 * build copies it from the npm package package-lock.json pins), so the page fetches nothing from
 * anywhere else: the bundle and {@code /openapi.yaml}, both from this origin.
 */
public final class ApiReferenceRoutes {
  private static final CharSequence HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
  private static final CharSequence JS =
      HttpHeaders.createOptimized("text/javascript; charset=utf-8");

  /**
   * Scripts from this origin only, no inline or eval'd script; connections (the document) to this
   * origin only. Redoc's styled-components writes its style rules at run time, which needs
   * 'unsafe-inline' for styles; its search runs in a worker made from a blob: URL.
   */
  static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self';"
          + " img-src 'self' data:; font-src 'self'; worker-src blob:; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'";

  private final Buffer page = resource("/docs/index.html");
  private final Buffer script = resource("/docs/redoc.standalone.js");

  public void addTo(OperationHandlers handlers) {
    handlers.raw(
        "getApiReference",
        ctx ->
            ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, HTML)
                .putHeader("Content-Security-Policy", POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(page));
    handlers.raw(
        "getApiReferenceScript",
        ctx ->
            ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, JS)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=3600")
                .end(script));
  }

  private static Buffer resource(String path) {
    try (InputStream in = ApiReferenceRoutes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the jar (built by api/pom.xml)");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
