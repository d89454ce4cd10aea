package dev.coffer.api.page;

import dev.coffer.api.http.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Keyset pages: {@code ?limit=&cursor=} in, {@code {"data", "nextCursor"}} out. A cursor is the
 * opaque encoding of the last row's key, tagged with what kind of page it belongs to.
 */
public final class Pages {
  public static final int DEFAULT_LIMIT = 50;

  private Pages() {}

  /** The requested page size (validated 1..200 by the contract), or the default. */
  public static int limit(ValidatedRequest request) {
    RequestParameter limit = request.getQuery().get("limit");
    return limit == null || limit.isNull() ? DEFAULT_LIMIT : limit.getInteger();
  }

  /**
   * The key in {@code ?cursor=}, read by {@code parse}, or null for the first page; a cursor this
   * API did not give for a {@code kind} list is a 400.
   */
  public static <T> T after(ValidatedRequest request, String kind, Function<String, T> parse) {
    RequestParameter cursor = request.getQuery().get("cursor");
    if (cursor == null || cursor.isNull()) {
      return null;
    }
    try {
      String decoded =
          new String(Base64.getUrlDecoder().decode(cursor.getString()), StandardCharsets.UTF_8);
      if (decoded.startsWith(kind + ":")) {
        return parse.apply(decoded.substring(kind.length() + 1));
      }
    } catch (IllegalArgumentException e) { // bad base64, or a key parse refuses
      // Falls through to the same answer as any other cursor this API did not give.
    }
    throw ProblemException.of("invalid-parameter", "cursor is not one this API gave for this list");
  }

  /**
   * The page for {@code rows}, fetched with {@code limit + 1} so that a full page knows whether
   * another one follows.
   */
  public static <T> JsonObject page(
      List<T> rows, int limit, String kind, Function<T, JsonObject> json, Function<T, String> key) {
    return page(rows, limit, kind, json, key, row -> true);
  }

  /**
   * As {@link #page(List, int, String, Function, Function)}, showing only the rows {@code shown}
   * lets through (what an API key limited to some accounts may see): the cursor still follows every
   * row read, so such a page may hold fewer rows than the limit, even none, and still have a next.
   */
  public static <T> JsonObject page(
      List<T> rows,
      int limit,
      String kind,
      Function<T, JsonObject> json,
      Function<T, String> key,
      Predicate<T> shown) {
    JsonArray data = new JsonArray();
    rows.stream().limit(limit).filter(shown).map(json).forEach(data::add);
    String next = null;
    if (rows.size() > limit) {
      String last = key.apply(rows.get(limit - 1));
      next =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString((kind + ":" + last).getBytes(StandardCharsets.UTF_8));
    }
    return new JsonObject().put("data", data).put("nextCursor", next);
  }
}
