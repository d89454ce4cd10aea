package dev.coffer.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where the test stack's services are, as the same variables Coffer itself reads. */
public record StackSettings(String pgPrimary, String pgReplica, List<String> redisNodes) {

  /** The settings as Coffer environment variables. */
  public Map<String, String> asEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("COFFER_PG_PRIMARY", pgPrimary);
    env.put("COFFER_PG_REPLICA", pgReplica);
    env.put("COFFER_REDIS_NODES", String.join(",", redisNodes));
    return env;
  }

  public static StackSettings fromEnvironment(Map<String, String> env) {
    return new StackSettings(
        env.get("COFFER_PG_PRIMARY"),
        env.get("COFFER_PG_REPLICA"),
        List.of(env.get("COFFER_REDIS_NODES").split(",")));
  }
}
