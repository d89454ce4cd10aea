package dev.coffer.api.testing;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.server.CofferServer;
import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Coffer service started in this JVM against the test stack, on a free port. */
public final class ApiInstance implements AutoCloseable {
  private static ApiInstance shared;

  private final CofferServer server;
  private final int port;
  private ApiClient sharedClient;

  private ApiInstance(CofferServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** One instance shared by every test class that needs no special settings; stopped at exit. */
  public static synchronized ApiInstance shared() {
    if (shared == null) {
      shared = start(Map.of());
      ApiInstance started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "coffer-test-api-stop"));
    }
    return shared;
  }

  /** A new instance; {@code overrides} are extra COFFER_* settings. */
  public static ApiInstance start(Map<String, String> overrides) {
    return start(TestStack.get(), overrides);
  }

  /** As {@link #start(Map)}, on the services of {@code stack}. */
  public static ApiInstance start(TestStack stack, Map<String, String> overrides) {
    int port = freePort();
    Map<String, String> env = new HashMap<>(stack.settings().asEnvironment());
    env.put("COFFER_HTTP_PORT", Integer.toString(port));
    env.put("COFFER_HTTP_HOST", "127.0.0.1");
    env.put("COFFER_EVENT_LOOPS", "2");
    // The slowest legal bcrypt cost would make every test log-in take a tenth of a second.
    env.put("COFFER_PASSWORD_HASH_COST", "4");
    // No load balancer in front: a stopping test instance has no one to wait for.
    env.put("COFFER_SHUTDOWN_DELAY_MS", "0");
    // Every test runs from 127.0.0.1: the limits are the rate-limit tests' business, and they set
    // their own (with subjects of their own).
    // Webhook receivers in tests listen on this machine, and retries must come within a test.
    env.put("COFFER_WEBHOOK_ALLOW_PRIVATE", "true");
    env.put("COFFER_WEBHOOK_POLL_MS", "50");
    env.put("COFFER_WEBHOOK_TIMEOUT_MS", "500");
    env.put("COFFER_WEBHOOK_RETRY_BASE_MS", "50");
    env.put("COFFER_WEBHOOK_RETRY_MAX_MS", "200");
    RateLimitSettings.DEFAULTS
        .keySet()
        .forEach(policy -> env.put(RateLimitSettings.variable(policy), "1000000/60"));
    env.putAll(overrides);
    try {
      CofferServer server = CofferServer.start(CofferConfig.from(env)).await(60, TimeUnit.SECONDS);
      return new ApiInstance(server, port);
    } catch (Exception e) {
      throw new IllegalStateException("could not start Coffer for tests", e);
    }
  }

  public int port() {
    return port;
  }

  /** One client of this instance for every test class that needs no client of its own. */
  public synchronized ApiClient sharedClient() {
    if (sharedClient == null) {
      sharedClient = client();
    }
    return sharedClient;
  }

  /** A client for this instance. */
  public ApiClient client() {
    return new ApiClient(port);
  }

  @Override
  public void close() {
    if (sharedClient != null) {
      sharedClient.close();
    }
    try {
      server.stop().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not stop Coffer", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
