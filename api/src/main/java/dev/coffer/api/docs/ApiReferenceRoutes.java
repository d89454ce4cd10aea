package dev.coffer.api.docs;

import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.StaticFiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

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

  private final Buffer page = StaticFiles.read("/docs/index.html");
  private final Buffer script = StaticFiles.read("/docs/redoc.standalone.js");

  public void addTo(OperationHandlers handlers) {
    handlers.raw("getApiReference", StaticFiles.serve(page, HTML, POLICY, "no-cache"));
    handlers.raw(
        "getApiReferenceScript", StaticFiles.serve(script, JS, null, "public, max-age=3600"));
  }
}
