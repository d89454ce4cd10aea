package dev.coffer.api.monitor;

import dev.coffer.api.http.ApiJson;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.session.ReadConsistency;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.monitor.Monitor;
import dev.coffer.ledger.monitor.MonitorService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** Balance monitors of an account: add, list, remove. */
public final class MonitorRoutes {
  private final MonitorService monitors;
  private final WriteReceipts receipts;

  public MonitorRoutes(MonitorService monitors, WriteReceipts receipts) {
    this.monitors = monitors;
    this.receipts = receipts;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createMonitor", this::create)
        .on("listMonitors", this::list)
        .on("deleteMonitor", this::delete);
  }

  private Future<?> create(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID account = RequestBodies.pathId(ctx, "id");
    JsonObject body = RequestBodies.json(ctx);
    return monitors
        .add(
            owner,
            account,
            body.getString("field"),
            body.getString("operator"),
            body.getLong("threshold"),
            body.getString("description"))
        .compose(
            committed ->
                receipts.send(
                    ctx, committed.token(), 201, json(committed.value()).toBuffer(), false));
  }

  private Future<?> list(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID account = RequestBodies.pathId(ctx, "id");
    return monitors
        .list(owner, account, ReadConsistency.required(ctx))
        .compose(
            list -> {
              JsonArray data = new JsonArray();
              list.forEach(m -> data.add(json(m)));
              return JsonResponses.send(ctx, 200, new JsonObject().put("data", data));
            });
  }

  private Future<?> delete(RoutingContext ctx) {
    UUID owner = SessionAuthentication.of(ctx).userId();
    UUID account = RequestBodies.pathId(ctx, "id");
    UUID monitor = RequestBodies.pathId(ctx, "monitorId");
    return monitors
        .remove(owner, account, monitor)
        .compose(committed -> receipts.send(ctx, committed.token(), 204, Buffer.buffer(), false));
  }

  static JsonObject json(Monitor m) {
    return new JsonObject()
        .put("id", ApiJson.id(m.id()))
        .put("accountId", ApiJson.id(m.accountId()))
        .put("field", m.field())
        .put("operator", m.operator())
        .put("threshold", m.threshold())
        .put("condition", m.condition())
        .put("description", m.description())
        .put("firedCount", m.firedCount())
        .put("lastFiredAt", ApiJson.time(m.lastFiredAt()))
        .put("createdAt", ApiJson.time(m.createdAt()));
  }
}
