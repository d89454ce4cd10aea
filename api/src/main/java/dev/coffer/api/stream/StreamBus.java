package dev.coffer.api.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Redis Cluster's sharded pub/sub as the instances' shared bus. A message is published with {@code
 * SPUBLISH} through the cluster client, which sends it to the one shard that owns the channel's
 * slot; subscriptions are held on one connection per shard of this instance's own, since the
 * cluster client does not deliver {@code SSUBSCRIBE} messages. Each channel is subscribed once per
 * instance. When a shard's connection ends (a failover, a restart), its channels are subscribed
 * again on the shard that owns them now, and {@code onResubscribed} runs: messages published
 * meanwhile are lost, and the caller reads what it missed from the ledger.
 */
public final class StreamBus {
  private static final Logger LOG = Logger.getLogger(StreamBus.class.getName());
  private static final long RESUBSCRIBE_DELAY_MS = 500;

  private final Vertx vertx;
  private final Redis cluster;
  private final String userInfo;
  private final Runnable onResubscribed;
  private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();
  private final Map<String, String> nodeOfChannel = new ConcurrentHashMap<>();
  private final Map<String, Future<RedisConnection>> shards = new ConcurrentHashMap<>();
  private volatile List<SlotRange> slots = List.of();

  private record SlotRange(int first, int last, String node) {}

  /** {@code seedNodes} give the credentials, if any, for the shard connections. */
  public StreamBus(Vertx vertx, Redis cluster, List<String> seedNodes, Runnable onResubscribed) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.userInfo = seedNodes.isEmpty() ? null : URI.create(seedNodes.get(0)).getRawUserInfo();
    this.onResubscribed = onResubscribed;
  }

  /** Publishes {@code message} on {@code channel}; nobody listening is not an error. */
  public Future<Void> publish(String channel, String message) {
    return cluster.send(Request.cmd(Command.SPUBLISH).arg(channel).arg(message)).mapEmpty();
  }

  /** Delivers every message of {@code channel} to {@code handler} (on a Redis client thread). */
  public Future<Void> subscribe(String channel, Consumer<String> handler) {
    handlers.put(channel, handler);
    return subscribeOnOwner(channel);
  }

  /** Stops listening to {@code channel}. */
  public void unsubscribe(String channel) {
    handlers.remove(channel);
    String node = nodeOfChannel.remove(channel);
    Future<RedisConnection> shard = node == null ? null : shards.get(node);
    if (shard != null) {
      shard.onSuccess(c -> c.send(Request.cmd(Command.SUNSUBSCRIBE).arg(channel)));
    }
  }

  private Future<Void> subscribeOnOwner(String channel) {
    return ownerOf(channel)
        .compose(
            node ->
                shard(node)
                    .compose(c -> c.send(Request.cmd(Command.SSUBSCRIBE).arg(channel)))
                    .map(
                        r -> {
                          nodeOfChannel.put(channel, node);
                          return (Void) null;
                        }));
  }

  private Future<String> ownerOf(String channel) {
    int slot = Crc16.slot(channel);
    String known = find(slot);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return refreshSlots()
        .map(
            v -> {
              String node = find(slot);
              if (node == null) {
                throw new IllegalStateException("no Redis shard serves slot " + slot);
              }
              return node;
            });
  }

  private String find(int slot) {
    for (SlotRange range : slots) {
      if (range.first() <= slot && slot <= range.last()) {
        return range.node();
      }
    }
    return null;
  }

  private Future<Void> refreshSlots() {
    return cluster
        .send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
        .map(
            response -> {
              List<SlotRange> ranges = new ArrayList<>();
              for (Response range : response) {
                Response master = range.get(2);
                ranges.add(
                    new SlotRange(
                        range.get(0).toInteger(),
                        range.get(1).toInteger(),
                        "redis://"
                            + (userInfo == null ? "" : userInfo + "@")
                            + master.get(0).toString()
                            + ":"
                            + master.get(1).toInteger()));
              }
              slots = List.copyOf(ranges);
              return null;
            });
  }

  // "redis://[user:password@]host:port" without its scheme and credentials: a metric label.
  private static String hostAndPort(String node) {
    String rest = node.substring(node.indexOf("://") + 3);
    return rest.substring(rest.lastIndexOf('@') + 1);
  }

  private Future<RedisConnection> shard(String node) {
    return shards.computeIfAbsent(
        node,
        n -> {
          // Named by node: a client left unnamed gets a random pool name, a new metric series
          // with each client (and a UUID in /metrics).
          Future<RedisConnection> connecting =
              Redis.createClient(
                      vertx,
                      new RedisOptions()
                          .setConnectionString(n)
                          .setPoolName("coffer-stream-" + hostAndPort(n)))
                  .connect();
          connecting.onSuccess(
              connection -> {
                connection.handler(this::onPush);
                connection.exceptionHandler(e -> lost(n, connection));
                connection.endHandler(v -> lost(n, connection));
              });
          connecting.onFailure(e -> shards.remove(n));
          return connecting;
        });
  }

  private void onPush(Response push) {
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      return;
    }
    if (push.size() < 3) {
      return;
    }
    String kind = push.get(0).toString();
    String channel = push.get(1).toString();
    if ("smessage".equals(kind)) {
      Consumer<String> handler = handlers.get(channel);
      if (handler != null) {
        handler.accept(push.get(2).toString());
      }
    } else if ("sunsubscribe".equals(kind) && handlers.containsKey(channel)) {
      // The server dropped us from a channel we still want: its slot moved to another shard.
      slots = List.of();
      vertx.setTimer(RESUBSCRIBE_DELAY_MS, id -> resubscribe(List.of(channel)));
    }
  }

  private void lost(String node, RedisConnection connection) {
    if (shards.remove(node) == null) {
      return;
    }
    connection.close();
    List<String> orphans = new ArrayList<>();
    nodeOfChannel.forEach(
        (channel, owner) -> {
          if (owner.equals(node)) {
            orphans.add(channel);
          }
        });
    orphans.forEach(nodeOfChannel::remove);
    LOG.warning(
        "stream bus lost Redis shard " + redact(node) + "; resubscribing " + orphans.size());
    slots = List.of();
    vertx.setTimer(RESUBSCRIBE_DELAY_MS, id -> resubscribe(orphans));
  }

  private void resubscribe(List<String> channels) {
    List<Future<Void>> all = new ArrayList<>();
    for (String channel : channels) {
      if (handlers.containsKey(channel)) {
        all.add(subscribeOnOwner(channel));
      }
    }
    Future.join(all)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                // The cluster is still electing: try again, the ledger covers the gap meanwhile.
                List<String> missing = new ArrayList<>();
                channels.forEach(
                    c -> {
                      if (handlers.containsKey(c) && !nodeOfChannel.containsKey(c)) {
                        missing.add(c);
                      }
                    });
                slots = List.of();
                vertx.setTimer(RESUBSCRIBE_DELAY_MS * 2, id -> resubscribe(missing));
              }
              onResubscribed.run();
            });
  }

  private static String redact(String node) {
    return node.replaceAll("//[^@]*@", "//");
  }
}
