package dev.coffer.api.transfer;

import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.TransferFilter;
import dev.coffer.ledger.transfer.TransferKind;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.Map;
import java.util.UUID;

/** The filters of {@code GET /v1/transfers}, read from its (validated) query. */
final class TransferQueries {
  private static final String PREFIX = "metadata[";

  private TransferQueries() {}

  static TransferFilter filter(RoutingContext ctx, ValidatedRequest request) {
    String account = text(request, "account");
    String kind = text(request, "kind");
    String status = text(request, "status");
    String fromText = text(request, "from");
    String toText = text(request, "to");
    QueryTimes.Range range = QueryTimes.range(fromText, toText);
    String key = null;
    String value = null;
    // metadata[KEY]=VALUE (deepObject style, which the contract's validator does not read).
    for (Map.Entry<String, String> param : ctx.queryParams()) {
      String name = param.getKey();
      if (!name.startsWith(PREFIX) || !name.endsWith("]")) {
        continue;
      }
      if (key != null) {
        throw ProblemException.of("invalid-parameter", "one metadata[KEY]=VALUE pair at most");
      }
      key = name.substring(PREFIX.length(), name.length() - 1);
      value = param.getValue();
      if (key.isEmpty() || !Metadata.fits(key) || !Metadata.fits(value)) {
        throw ProblemException.of(
            "invalid-parameter",
            "a metadata key (not empty) and value are at most "
                + Metadata.MAX_BYTES
                + " bytes of UTF-8, without NUL");
      }
    }
    return new TransferFilter(
        account == null ? null : UUID.fromString(account),
        kind == null ? null : TransferKind.of(kind),
        status == null ? null : TransferStatus.of(status),
        range.from(),
        range.to(),
        key,
        value);
  }

  private static String text(ValidatedRequest request, String name) {
    RequestParameter parameter = request.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.getString();
  }
}
