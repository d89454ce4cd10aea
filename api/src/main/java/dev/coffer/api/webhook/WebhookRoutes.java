package dev.coffer.api.webhook;

import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestValidation;
import dev.coffer.api.page.Pages;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.webhook.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** {@code /v1/webhooks} (register, list, remove) and {@code /v1/events} (the caller's events). */
public final class WebhookRoutes {
  private final WebhookStore store;
  private final WriteReceipts receipts;
  private final WebhookSettings settings;

  public WebhookRoutes(WebhookStore store, WriteReceipts receipts, WebhookSettings settings) {
    this.store = store;
    this.receipts = receipts;
    this.settings = settings;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createWebhook", this::create)
        .on("listWebhooks", this::list)
        .on("deleteWebhook", this::delete)
        .on("listEvents", this::events);
  }

  private Future<?> create(RoutingContext ctx) {
    JsonObject body = RequestBodies.json(ctx);
    String url = body.getString("url");
    String refusal = WebhookUrls.refusal(url, settings.allowPrivateAddresses());
    if (refusal != null) {
      throw RequestBodies.invalid("url", refusal);
    }
    // A name is resolved as delivery will resolve it (/etc/hosts included), on a worker thread:
    // whatever delivery would refuse is refused now, not found out at the first event.
    return ctx.vertx()
        .executeBlocking(
            () -> WebhookUrls.resolvedRefusal(url, settings.allowPrivateAddresses()), false)
        .compose(
            resolved -> {
              if (resolved != null) {
                throw RequestBodies.invalid("url", resolved);
              }
              return register(ctx, body, url);
            });
  }

  private Future<?> register(RoutingContext ctx, JsonObject body, String url) {
    // The contract lists the types; a repeated one means the same subscription.
    List<String> types =
        new ArrayList<>(new LinkedHashSet<>(body.getJsonArray("eventTypes").getList()));
    return store
        .create(
            SessionAuthentication.of(ctx).userId(),
            url,
            types,
            WebhookSigner.newSecret(),
            settings.maxEndpointsPerUser())
        .compose(
            committed -> {
              if (committed.value() == null) {
                throw RequestBodies.invalid(
                    "url",
                    "is one too many: at most "
                        + settings.maxEndpointsPerUser()
                        + " webhooks per user");
              }
              ctx.response().putHeader("Location", "/v1/webhooks/" + committed.value().id());
              return receipts.send(
                  ctx,
                  committed.token(),
                  201,
                  EventJson.endpoint(committed.value()).toBuffer(),
                  false);
            });
  }

  private Future<?> list(RoutingContext ctx) {
    return store
        .list(SessionAuthentication.of(ctx).userId(), ReadConsistency.required(ctx))
        .compose(
            all -> {
              JsonArray data = new JsonArray();
              all.forEach(w -> data.add(EventJson.endpoint(w)));
              return JsonResponses.send(ctx, 200, new JsonObject().put("data", data));
            });
  }

  private Future<?> delete(RoutingContext ctx) {
    UUID id = RequestBodies.pathId(ctx, "id");
    return store
        .delete(SessionAuthentication.of(ctx).userId(), id)
        .compose(committed -> receipts.send(ctx, committed.token(), 204, Buffer.buffer(), false));
  }

  private Future<?> events(RoutingContext ctx) {
    ValidatedRequest request = RequestValidation.of(ctx);
    int limit = Pages.limit(request);
    UUID before = Pages.after(request, "event", UUID::fromString);
    RequestParameter type = request.getQuery().get("type");
    return store
        .events(
            SessionAuthentication.of(ctx).userId(),
            type == null || type.isNull() ? null : type.getString(),
            before,
            limit + 1,
            ReadConsistency.required(ctx))
        .compose(
            rows ->
                JsonResponses.send(
                    ctx,
                    200,
                    Pages.page(rows, limit, "event", EventJson::event, e -> e.id().toString())));
  }
}
