package dev.coffer.api.redis;

import dev.coffer.api.digest.Digests;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisCluster;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * A Lua script run atomically on the master that owns its keys' slot: by {@code EVALSHA}, falling
 * back to {@code EVAL} (which also caches it there) when that master does not know it yet, after a
 * restart or a failover. All keys of one call must share a hash tag.
 */
public final class RedisScript {
  private final String source;
  private final String sha1;

  public RedisScript(String source) {
    this.source = source;
    this.sha1 = Digests.sha1Hex(source);
  }

  /** Runs the script with {@code keys} and {@code args}. */
  public Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis
        .send(request(Command.EVALSHA, sha1, keys, args))
        .recover(
            e ->
                String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
                    ? redis.send(request(Command.EVAL, source, keys, args))
                    : Future.failedFuture(e));
  }

  /** Loads the script on every master ahead of its first call; a failure only costs an EVAL. */
  public Future<Void> preload(Redis redis) {
    return RedisCluster.create(redis)
        .onAllMasterNodes(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source))
        .mapEmpty();
  }

  private static Request request(
      Command command, String scriptOrSha, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(scriptOrSha).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }
}
