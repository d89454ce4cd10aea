package dev.coffer.api.export;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each user's share of this instance's exports: how many are open, and how many bytes were sent in
 * the user's current minute (a fixed window from its first byte). Per instance, like the stream's
 * per-user cap: a balancer spreading one user's exports over N instances lets N times through,
 * which still bounds a user to a small share of every replica's holding pool. Called from any event
 * loop: each user's counts are changed under that user's own lock, briefly.
 */
final class ExportLimits {
  private static final long WINDOW_NANOS = 60_000_000_000L;

  private final ExportSettings settings;
  private final Map<UUID, Share> shares = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

  ExportLimits(ExportSettings settings) {
    this.settings = settings;
  }

  /** A user at one of the limits: what to tell the client, and when to try again. */
  static final class Refused extends RuntimeException {
    final long retryAfterSeconds;

    private Refused(long retryAfterSeconds, String detail) {
      super(detail, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  /** One open export of {@code user}; {@link Refused} when the user is at a limit. */
  Ticket open(UUID user) {
    long now = System.nanoTime();
    forgetIdleUsers(now);
    Share share;
    while (true) {
      share = shares.computeIfAbsent(user, k -> new Share());
      synchronized (share) {
        if (!share.forgotten) {
          break;
        }
      }
      // Swept away between the look-up and the lock: take the new one.
    }
    synchronized (share) {
      share.roll(now);
      if (share.open >= settings.maxOpenPerUser()) {
        throw refused(
            1,
            "at most "
                + settings.maxOpenPerUser()
                + " exports may be open at once per user; finish one first");
      }
      if (share.bytes >= settings.bytesPerMinute()) {
        throw refused(
            share.secondsLeft(now),
            "at most " + settings.bytesPerMinute() + " bytes of exports per minute per user");
      }
      share.open++;
    }
    return new Ticket(share);
  }

  private static Refused refused(long retryAfterSeconds, String detail) {
    return new Refused(retryAfterSeconds, detail);
  }

  // Users with no export open and a minute that is over are forgotten, at most once a minute, so
  // that the map holds only the users of the last minute or two.
  private void forgetIdleUsers(long now) {
    long last = lastSweep.get();
    if (now - last < WINDOW_NANOS || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    shares
        .values()
        .removeIf(
            share -> {
              synchronized (share) {
                share.forgotten = share.open == 0 && share.millisLeft(now) == 0;
                return share.forgotten;
              }
            });
  }

  /** What one open export holds of its user's share. */
  final class Ticket {
    private final Share share;
    private boolean closed;

    private Ticket(Share share) {
      this.share = share;
    }

    /**
     * Counts {@code bytes} sent; answers how many ms the export must wait before sending more (0:
     * none), the rest of the minute once the user's budget is spent.
     */
    long spend(int bytes) {
      long now = System.nanoTime();
      synchronized (share) {
        share.roll(now);
        share.bytes += bytes;
        return share.bytes < settings.bytesPerMinute() ? 0 : share.millisLeft(now);
      }
    }

    /** The export ended (once; later calls do nothing). */
    void close() {
      synchronized (share) {
        if (closed) {
          return;
        }
        closed = true;
        share.open--;
      }
    }
  }

  private static final class Share {
    private int open;
    private long bytes;
    private boolean forgotten;
    private long windowStart = System.nanoTime();

    private void roll(long now) {
      if (now - windowStart >= WINDOW_NANOS) {
        windowStart = now;
        bytes = 0;
      }
    }

    private long millisLeft(long now) {
      return Math.max(0, (windowStart + WINDOW_NANOS - now) / 1_000_000);
    }

    private long secondsLeft(long now) {
      return Math.max(1, (millisLeft(now) + 999) / 1000);
    }
  }
}
