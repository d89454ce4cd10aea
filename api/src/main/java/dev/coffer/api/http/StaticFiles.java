package dev.coffer.api.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Files the service serves from its jar (pages, their scripts): read once, answered as they are.
 */
public final class StaticFiles {
  private StaticFiles() {}

  /**
   * The bytes of classpath resource {@code path}; missing, the jar was built wrong: fail start-up.
   */
  public static Buffer read(String path) {
    try (InputStream in = StaticFiles.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Answers {@code body} as {@code contentType}, never sniffed, with {@code policy} as its
   * Content-Security-Policy (null: none) and {@code cacheControl}.
   */
  public static Handler<RoutingContext> serve(
      Buffer body, CharSequence contentType, CharSequence policy, CharSequence cacheControl) {
    return ctx -> {
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
      if (policy != null) {
        ctx.response().putHeader("Content-Security-Policy", policy);
      }
      ctx.response().end(body);
    };
  }
}
