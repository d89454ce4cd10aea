package dev.coffer.api;

import dev.coffer.api.server.CofferServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM (and SIGINT) start the graceful stop and exit 0 when it is done; a second signal, or the
 * stop taking longer than its delay and drain time plus a margin, ends the process at once.
 */
final class ShutdownSignals {
  private static final Logger LOG = Logger.getLogger(ShutdownSignals.class.getName());
  private static final Duration MARGIN = Duration.ofSeconds(10);

  private ShutdownSignals() {}

  static void install(CofferServer server, Duration deadline) {
    AtomicBoolean received = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (!received.compareAndSet(false, true)) {
              LOG.warning("second SIG" + signal.getName() + ": exiting now");
              Runtime.getRuntime().halt(128 + signal.getNumber());
            }
            LOG.info("SIG" + signal.getName() + ": stopping gracefully");
            Thread watchdog =
                new Thread(
                    () -> {
                      try {
                        TimeUnit.MILLISECONDS.sleep(deadline.plus(MARGIN).toMillis());
                        LOG.warning("graceful stop overran its time: exiting now");
                        Runtime.getRuntime().halt(1);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    },
                    "coffer-stop-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            server.stop().onComplete(ar -> System.exit(0));
          });
    }
  }
}
