package dev.coffer.api.http;

import dev.coffer.ledger.transfer.Metadata;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The one {@code metadata[KEY]=VALUE} pair a list may be filtered by (deepObject style, which the
 * contract's validator does not read): null when there is none; a second pair, an empty key, or a
 * key or value past {@link Metadata}'s limits is 400 {@code invalid-parameter}.
 */
public record MetadataQuery(String key, String value) {
  private static final String PREFIX = "metadata[";

  public static MetadataQuery of(RoutingContext ctx) {
    MetadataQuery found = null;
    for (Map.Entry<String, String> param : ctx.queryParams()) {
      String name = param.getKey();
      if (!name.startsWith(PREFIX) || !name.endsWith("]")) {
        continue;
      }
      if (found != null) {
        throw ProblemException.of("invalid-parameter", "one metadata[KEY]=VALUE pair at most");
      }
      String key = name.substring(PREFIX.length(), name.length() - 1);
      String value = param.getValue();
      if (key.isEmpty() || !Metadata.fits(key) || !Metadata.fits(value)) {
        throw ProblemException.of(
            "invalid-parameter",
            "a metadata key (not empty) and value are at most "
                + Metadata.MAX_BYTES
                + " bytes of UTF-8, without NUL");
      }
      found = new MetadataQuery(key, value);
    }
    return found;
  }
}
