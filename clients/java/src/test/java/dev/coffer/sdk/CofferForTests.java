package dev.coffer.sdk;

import dev.coffer.api.config.CofferConfig;
import dev.coffer.api.ratelimit.RateLimitSettings;
import dev.coffer.api.server.CofferServer;
import dev.coffer.testkit.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** One real Coffer for the SDK's tests, in this JVM, on the test stack; stopped at exit. */
final class CofferForTests {
  private static CofferForTests shared;

  private final int port;

  private CofferForTests(int port) {
    this.port = port;
  }

  static synchronized CofferForTests shared() {
    if (shared == null) {
      shared = new CofferForTests(start());
    }
    return shared;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  int port() {
    return port;
  }

  /** A new user, logged in: a client acting as its session. */
  CofferClient newUser(CofferClient anonymous) {
    String email = "sdk-" + UUID.randomUUID() + "@example.com";
    anonymous.signUp(email, "correct horse battery");
    return anonymous.loggedIn(email, "correct horse battery");
  }

  private static int start() {
    int port = freePort();
    Map<String, String> env = new HashMap<>(TestStack.get().settings().asEnvironment());
    env.put("COFFER_HTTP_PORT", Integer.toString(port));
    env.put("COFFER_HTTP_HOST", "127.0.0.1");
    env.put("COFFER_EVENT_LOOPS", "2");
    env.put("COFFER_PASSWORD_HASH_COST", "4");
    env.put("COFFER_SHUTDOWN_DELAY_MS", "0");
    // Rate limits are the API's tests' business.
    RateLimitSettings.DEFAULTS
        .keySet()
        .forEach(policy -> env.put(RateLimitSettings.variable(policy), "1000000/60"));
    try {
      CofferServer server = CofferServer.start(CofferConfig.from(env)).await(60, TimeUnit.SECONDS);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.stop().await(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      // Exiting anyway.
                    }
                  }));
      return port;
    } catch (Exception e) {
      throw new IllegalStateException("could not start Coffer for the SDK's tests", e);
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
