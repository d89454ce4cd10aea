package dev.coffer.api.transfer;

import dev.coffer.api.http.MetadataQuery;
import dev.coffer.api.http.QueryTimes;
import dev.coffer.ledger.transfer.TransferFilter;
import dev.coffer.ledger.transfer.TransferKind;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.UUID;

/** The filters of {@code GET /v1/transfers}, read from its (validated) query. */
final class TransferQueries {
  private TransferQueries() {}

  static TransferFilter filter(RoutingContext ctx, ValidatedRequest request) {
    String account = text(request, "account");
    String kind = text(request, "kind");
    String status = text(request, "status");
    String fromText = text(request, "from");
    String toText = text(request, "to");
    QueryTimes.Range range = QueryTimes.range(fromText, toText);
    MetadataQuery metadata = MetadataQuery.of(ctx);
    return new TransferFilter(
        account == null ? null : UUID.fromString(account),
        kind == null ? null : TransferKind.of(kind),
        status == null ? null : TransferStatus.of(status),
        range.from(),
        range.to(),
        metadata == null ? null : metadata.key(),
        metadata == null ? null : metadata.value());
  }

  private static String text(ValidatedRequest request, String name) {
    RequestParameter parameter = request.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.getString();
  }
}
