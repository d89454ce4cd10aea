package dev.coffer.api.stream;

import dev.coffer.api.tracing.DeliveryTracing;
import dev.coffer.api.tracing.DeliveryTracing.Traced;
import dev.coffer.api.tracing.TraceContexts;
import dev.coffer.ledger.db.ConsistencyToken;
import dev.coffer.ledger.entry.EntryService;
import dev.coffer.ledger.entry.JournalTail;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The instance's view of the accounts its stream connections watch. A write announces the accounts
 * it touched on each account's bus channel; the instances watching one read the new entries from
 * the ledger (the replica, at least as fresh as the write) once, however many of their connections
 * watch it, and hand them to those connections. The ledger is the only source of entries, so a lost
 * announcement delays entries but never loses them: every {@code reconcilePeriod} the watched
 * accounts' last seqs are compared with what was sent, and what an announcement missed is read
 * then.
 */
public final class AccountFeeds implements MeterBinder {
  private static final Logger LOG = Logger.getLogger(AccountFeeds.class.getName());
  static final int PAGE = 500;
  // Trace contexts of announcing writes a feed keeps for its next read's span: links past this
  // many add little to a trace and would cost memory on a busy account.
  private static final int MAX_TRACES = 32;

  private final Vertx vertx;
  private final EntryService entries;
  private final StreamMetrics metrics = new StreamMetrics();
  private final Map<UUID, Feed> feeds = new ConcurrentHashMap<>();
  private StreamBus bus;
  private long reconcileTimer = -1;

  /** One watched account: who watches it, and whether a read of it is under way. */
  private static final class Feed {
    final Set<StreamConnection> watchers = ConcurrentHashMap.newKeySet();
    boolean reading;
    boolean readAgain;
    ConsistencyToken token = ConsistencyToken.NONE;
    long announcedAt;
    List<String> traces = List.of();
  }

  private final DeliveryTracing tracing;

  public AccountFeeds(Vertx vertx, EntryService entries) {
    this(vertx, entries, DeliveryTracing.OFF);
  }

  /**
   * As above; with tracing on, an announcement carries the announcing write's trace context, and
   * each delivery it causes is a span linked to it.
   */
  public AccountFeeds(Vertx vertx, EntryService entries, DeliveryTracing tracing) {
    this.vertx = vertx;
    this.entries = entries;
    this.tracing = tracing;
  }

  /** The bus to announce and listen on; set once, before the first connection. */
  public void useBus(StreamBus bus) {
    this.bus = bus;
  }

  StreamMetrics metrics() {
    return metrics;
  }

  EntryService entries() {
    return entries;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    metrics.bindTo(registry);
  }

  static String channel(UUID account) {
    // The braces are a hash tag: the account's channel lives in one slot, on one shard.
    return "coffer:stream:{" + account + "}";
  }

  /** Announces a committed write on each touched account's channel. */
  public void announce(Set<UUID> accounts, ConsistencyToken token) {
    JsonObject json =
        new JsonObject().put("token", token.toString()).put("at", System.currentTimeMillis());
    // The write's trace (its request's span, current here), when sampled; older instances ignore
    // the field.
    String trace = tracing.enabled() ? TraceContexts.currentSampled() : null;
    if (trace != null) {
      json.put("trace", trace);
    }
    String message = json.encode();
    for (UUID account : accounts) {
      bus.publish(channel(account), message)
          .onFailure(e -> LOG.fine("announce failed, the reconcile will find it: " + e));
    }
  }

  /** Starts comparing the watched accounts with the ledger every {@code period}. */
  public void startReconciling(Duration period) {
    reconcileTimer = vertx.setPeriodic(period.toMillis(), id -> reconcile());
  }

  public void stop() {
    if (reconcileTimer >= 0) {
      vertx.cancelTimer(reconcileTimer);
    }
  }

  /** Everything may have been missed (the bus lost a shard): read every watched account. */
  public void readAll() {
    feeds.keySet().forEach(account -> read(account, ConsistencyToken.NONE, 0));
  }

  void watch(StreamConnection connection, UUID account) {
    Feed feed =
        feeds.computeIfAbsent(
            account,
            a -> {
              bus.subscribe(channel(a), message -> announced(a, message))
                  .onFailure(e -> LOG.fine("subscribe failed, the reconcile covers it: " + e));
              return new Feed();
            });
    feed.watchers.add(connection);
    metrics.subscriptions.incrementAndGet();
  }

  void unwatch(StreamConnection connection, UUID account) {
    Feed feed = feeds.get(account);
    if (feed != null && feed.watchers.remove(connection)) {
      metrics.subscriptions.decrementAndGet();
      synchronized (feed) {
        if (feed.watchers.isEmpty() && feeds.remove(account, feed)) {
          bus.unsubscribe(channel(account));
        }
      }
    }
  }

  private void announced(UUID account, String message) {
    ConsistencyToken token = ConsistencyToken.NONE;
    long at = 0;
    String trace = null;
    try {
      JsonObject json = new JsonObject(message);
      token = ConsistencyToken.parse(json.getString("token")).orElse(ConsistencyToken.NONE);
      at = json.getLong("at", 0L);
      trace = json.getValue("trace") instanceof String t ? t : null;
    } catch (RuntimeException e) {
      LOG.fine("unreadable stream announcement: " + e);
    }
    read(account, token, at, trace);
  }

  /** Reads the account's entries after the lowest seq its watchers have, then hands them over. */
  void read(UUID account, ConsistencyToken token, long announcedAt) {
    read(account, token, announcedAt, null);
  }

  private void read(UUID account, ConsistencyToken token, long announcedAt, String trace) {
    Feed feed = feeds.get(account);
    if (feed == null) {
      return;
    }
    synchronized (feed) {
      feed.token = feed.token.max(token);
      feed.announcedAt = Math.max(feed.announcedAt, announcedAt);
      if (trace != null && tracing.enabled() && feed.traces.size() < MAX_TRACES) {
        if (feed.traces.isEmpty()) {
          feed.traces = new ArrayList<>(2);
        }
        feed.traces.add(trace);
      }
      if (feed.reading) {
        feed.readAgain = true;
        return;
      }
      feed.reading = true;
    }
    readNow(account, feed);
  }

  private void readNow(UUID account, Feed feed) {
    ConsistencyToken token;
    long announcedAt;
    List<String> traces;
    synchronized (feed) {
      token = feed.token;
      announcedAt = feed.announcedAt;
      traces = feed.traces;
      feed.token = ConsistencyToken.NONE;
      feed.announcedAt = 0;
      feed.traces = List.of();
      feed.readAgain = false;
    }
    long from = lowestCursor(feed, account);
    if (from == Long.MAX_VALUE) {
      done(account, feed, false);
      return;
    }
    Traced traced = tracing.stream(traces, account.toString());
    entries
        .tail(null, account, from, PAGE, token)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                JournalTail tail = ar.result();
                List<StreamConnection> watchers = new ArrayList<>(feed.watchers);
                watchers.forEach(c -> c.deliver(tail, announcedAt));
                traced.set("coffer.stream.entries", tail.entries().size());
                traced.set("coffer.stream.connections", watchers.size());
                traced.end(0, null);
                done(account, feed, tail.hasMore());
              } else {
                traced.end(0, ar.cause());
                LOG.log(Level.FINE, "reading a watched account failed", ar.cause());
                done(account, feed, false);
              }
            });
  }

  private void done(UUID account, Feed feed, boolean more) {
    synchronized (feed) {
      if (!more && !feed.readAgain) {
        feed.reading = false;
        return;
      }
    }
    readNow(account, feed);
  }

  private static long lowestCursor(Feed feed, UUID account) {
    long lowest = Long.MAX_VALUE;
    for (StreamConnection c : feed.watchers) {
      Long cursor = c.cursor(account);
      if (cursor != null && cursor < lowest) {
        lowest = cursor;
      }
    }
    return lowest;
  }

  private void reconcile() {
    if (feeds.isEmpty()) {
      return;
    }
    entries
        .lastSeqs(feeds.keySet())
        .onSuccess(
            lastSeqs ->
                lastSeqs.forEach(
                    (account, last) -> {
                      Feed feed = feeds.get(account);
                      if (feed != null) {
                        long behind = last - lowestCursor(feed, account);
                        if (behind > 0 && !feed.reading) {
                          metrics.reconciledEntries.add(behind);
                          read(account, ConsistencyToken.NONE, 0);
                        }
                      }
                    }))
        .onFailure(e -> LOG.fine("reconcile failed: " + e));
  }
}
