import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of {@code dev/bench/stream-bench}, run from source against the service's own jar
 * ({@code java -cp api/target/coffer-api.jar dev/bench/stream/StreamBench.java MODE ...}):
 *
 * <ul>
 *   <li>{@code setup PORT USERS ACCOUNTS FILE}: signs up USERS users, each with ACCOUNTS funded
 *       accounts, and writes one line per user: its token, then its account ids.
 *   <li>{@code hold PORT FILE USER COUNT SOURCE_IP}: opens COUNT streams as that user, each
 *       subscribed to one of its accounts, prints {@code held N}, and keeps them open until killed.
 *   <li>{@code latency PORT FILE USER COUNT RATE SECONDS WARMUP SOURCE_IP}: opens COUNT subscribed
 *       streams, makes RATE transfers a second between the user's accounts for WARMUP + SECONDS,
 *       and prints the delay from each write's HTTP answer (and from its request) to each of its
 *       entry messages, and the server's commit-to-send histogram over the same window.
 * </ul>
 */
public class StreamBench {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "setup" -> setup(
          Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
      case "hold" -> hold(
          Integer.parseInt(args[1]),
          user(args[2], Integer.parseInt(args[3])),
          Integer.parseInt(args[4]),
          args[5]);
      case "latency" -> latency(
          Integer.parseInt(args[1]),
          user(args[2], Integer.parseInt(args[3])),
          Integer.parseInt(args[4]),
          Integer.parseInt(args[5]),
          Integer.parseInt(args[6]),
          Integer.parseInt(args[7]),
          args[8]);
      default -> throw new IllegalArgumentException("mode: setup | hold | latency");
    }
  }

  record User(String token, List<String> accounts) {}

  private static User user(String file, int index) throws Exception {
    String[] parts = Files.readAllLines(Path.of(file)).get(index).trim().split(" ");
    return new User(parts[0], List.of(Arrays.copyOfRange(parts, 1, parts.length)));
  }

  // ---- setup: users, accounts, money, with the JDK's blocking client (it runs once).

  private static void setup(int port, int users, int accounts, String file) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = "http://" + HOST + ":" + port;
    List<String> lines = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      String email = "stream-bench-" + UUID.randomUUID() + "@example.com";
      JsonObject login = new JsonObject().put("email", email).put("password", "bench password");
      post(http, base + "/v1/users", null, login);
      String token = post(http, base + "/v1/sessions", null, login).getString("token");
      StringBuilder line = new StringBuilder(token);
      for (int a = 0; a < accounts; a++) {
        String id =
            post(http, base + "/v1/accounts", token, new JsonObject().put("currency", "EUR"))
                .getString("id");
        post(
            http,
            base + "/v1/deposits",
            token,
            new JsonObject().put("accountId", id).put("amount", 1_000_000_000_000L));
        line.append(' ').append(id);
      }
      lines.add(line.toString());
    }
    Files.write(Path.of(file), lines);
  }

  private static JsonObject post(
      java.net.http.HttpClient http, String url, String token, JsonObject body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", UUID.randomUUID().toString())
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " answered " + response.statusCode() + response.body());
    }
    return new JsonObject(response.body());
  }

  // ---- streams
  /**
   * Opens {@code count} streams, at most {@value #IN_FLIGHT} handshakes at a time, each subscribed
   * to one account. A refused handshake (503 while Redis is overloaded) is tried again after a
   * second, up to {@value #ATTEMPTS} times; what still fails is counted and printed.
   */
  private static List<WebSocket> open(
      Vertx vertx,
      int port,
      User user,
      int count,
      String sourceIp,
      BiConsumer<Integer, JsonObject> onMessage)
      throws InterruptedException {
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(count + 16)
                .setLocalAddress(sourceIp)
                .setConnectTimeout(60_000));
    Opener opener = new Opener(vertx, client, port, user, onMessage);
    for (int i = 0; i < count; i++) {
      opener.inFlight.acquire();
      opener.connect(i, 1);
      if ((i + 1) % 2000 == 0) {
        System.err.println("opened " + (i + 1));
      }
    }
    opener.inFlight.acquire(IN_FLIGHT);
    System.err.println(
        opener.retried.get() + " handshakes tried again; " + opener.failed.get() + " streams failed");
    return opener.sockets;
  }

  private static final int IN_FLIGHT = 16;
  private static final int ATTEMPTS = 10;

  private record Opener(
      Vertx vertx,
      WebSocketClient client,
      int port,
      User user,
      BiConsumer<Integer, JsonObject> onMessage,
      Semaphore inFlight,
      AtomicInteger failed,
      AtomicInteger retried,
      List<WebSocket> sockets) {
    Opener(
        Vertx vertx,
        WebSocketClient client,
        int port,
        User user,
        BiConsumer<Integer, JsonObject> onMessage) {
      this(
          vertx,
          client,
          port,
          user,
          onMessage,
          new Semaphore(IN_FLIGHT),
          new AtomicInteger(),
          new AtomicInteger(),
          Collections.synchronizedList(new ArrayList<>()));
    }

    // Holds one permit of inFlight until the stream is subscribed or has failed for good.
    void connect(int index, int attempt) {
      String account = user.accounts().get(index % user.accounts().size());
      client
          .connect(
              new WebSocketConnectOptions()
                  .setHost(HOST)
                  .setPort(port)
                  .setURI("/v1/stream")
                  .addSubProtocol("bearer." + user.token()))
          .onFailure(
              e -> {
                if (attempt < ATTEMPTS) {
                  retried.incrementAndGet();
                  vertx.setTimer(1_000, t -> connect(index, attempt + 1));
                  return;
                }
                if (failed.incrementAndGet() <= 5) {
                  System.err.println("connect failed: " + e);
                }
                inFlight.release();
              })
          .onSuccess(ws -> subscribe(ws, index, account, attempt));
    }

    private void subscribe(WebSocket ws, int index, String account, int attempt) {
      boolean[] answered = new boolean[1];
      ws.textMessageHandler(
          text -> {
            JsonObject message = new JsonObject(text);
            String type = message.getString("type");
            if (!answered[0] && ("subscribed".equals(type) || "error".equals(type))) {
              answered[0] = true;
              if ("subscribed".equals(type)) {
                sockets.add(ws);
                inFlight.release();
              } else if (attempt < ATTEMPTS) {
                // The ledger or Redis could not answer in time: a new stream, a second later.
                retried.incrementAndGet();
                ws.close();
                vertx.setTimer(1_000, t -> connect(index, attempt + 1));
              } else {
                failed.incrementAndGet();
                System.err.println("subscribe failed: " + text);
                ws.close();
                inFlight.release();
              }
            } else if (onMessage != null) {
              onMessage.accept(index, message);
            }
          });
      ws.closeHandler(
          v -> {
            if (!answered[0]) {
              answered[0] = true;
              failed.incrementAndGet();
              inFlight.release();
            }
            if (!sockets.contains(ws)) {
              return;
            }
            if (CLOSED.incrementAndGet() <= 5) {
              System.err.println("closed by the server: " + ws.closeStatusCode() + " " + ws.closeReason());
            }
          });
      ws.writeTextMessage(
          new JsonObject()
              .put("op", "subscribe")
              .put("accounts", new JsonArray().add(new JsonObject().put("id", account)))
              .encode());
    }
  }

  private static final AtomicInteger CLOSED = new AtomicInteger();

  private static void hold(int port, User user, int count, String sourceIp) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<WebSocket> sockets = open(vertx, port, user, count, sourceIp, null);
    System.out.println("held " + (sockets.size() - CLOSED.get()));
    int reported = 0;
    while (true) {
      Thread.sleep(5_000);
      if (CLOSED.get() != reported) {
        reported = CLOSED.get();
        System.out.println("closed by the server so far: " + reported);
      }
    }
  }

  // ---- latency

  private record Write(long sentNanos, long answeredNanos, boolean measured) {}

  private record Arrival(String transferId, long nanos) {}

  private static void latency(
      int port, User user, int count, int rate, int seconds, int warmup, String sourceIp)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    Map<String, Integer> watchers = new HashMap<>();
    for (int i = 0; i < count; i++) {
      watchers.merge(user.accounts().get(i % user.accounts().size()), 1, Integer::sum);
    }
    open(
        vertx,
        port,
        user,
        count,
        sourceIp,
        (index, message) -> {
          if ("entry".equals(message.getString("type"))) {
            arrivals.add(
                new Arrival(message.getJsonObject("entry").getString("transferId"), System.nanoTime()));
          }
        });
    System.err.println("subscribed " + count + " streams over " + user.accounts().size() + " accounts");
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost(HOST).setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(64));
    Map<String, Double> before = histogram(http);

    Map<String, Write> writes = new ConcurrentHashMap<>();
    Map<String, Integer> expectedByTransfer = new ConcurrentHashMap<>();
    AtomicLong failures = new AtomicLong();
    AtomicLong sentCount = new AtomicLong();
    List<String> accounts = user.accounts();
    int k = accounts.size();
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    long total = (long) rate * (warmup + seconds);
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    clock.scheduleAtFixedRate(
        () -> {
          long j = sentCount.getAndIncrement();
          if (j >= total) {
            return;
          }
          String from = accounts.get((int) (j % k));
          String to = accounts.get((int) ((j + k / 2) % k));
          long sent = System.nanoTime();
          boolean measured = sent >= measureFrom;
          http.request(
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setURI("/v1/transfers")
                      .putHeader("Content-Type", "application/json")
                      .putHeader("Authorization", "Bearer " + user.token())
                      .putHeader("Idempotency-Key", UUID.randomUUID().toString()))
              .compose(
                  request ->
                      request.send(
                          new JsonObject()
                              .put("fromAccountId", from)
                              .put("toAccountId", to)
                              .put("amount", 1)
                              .encode()))
              .compose(
                  response -> {
                    long answered = System.nanoTime();
                    return response
                        .body()
                        .map(
                            body -> {
                              if (response.statusCode() != 201) {
                                if (failures.incrementAndGet() <= 5) {
                                  System.err.println(response.statusCode() + " " + body);
                                }
                                return null;
                              }
                              String id = new JsonObject(body).getString("id");
                              writes.put(id, new Write(sent, answered, measured));
                              expectedByTransfer.put(id, watchers.get(from) + watchers.get(to));
                              return null;
                            });
                  })
              .onFailure(e -> failures.incrementAndGet());
        },
        0,
        1_000_000_000L / rate,
        TimeUnit.NANOSECONDS);
    long end = start + TimeUnit.SECONDS.toNanos(warmup + seconds);
    while (System.nanoTime() < end) {
      Thread.sleep(100);
    }
    clock.shutdown();
    Thread.sleep(3_000); // the last writes' answers and entries
    Map<String, Double> after = histogram(http);

    List<Long> fromAnswer = new ArrayList<>();
    List<Long> fromRequest = new ArrayList<>();
    int early = 0;
    for (Arrival arrival : arrivals) {
      Write write = writes.get(arrival.transferId());
      if (write == null || !write.measured()) {
        continue;
      }
      long delay = arrival.nanos() - write.answeredNanos();
      if (delay < 0) {
        early++;
      }
      fromAnswer.add(Math.max(0, delay));
      fromRequest.add(arrival.nanos() - write.sentNanos());
    }
    long measuredWrites = writes.values().stream().filter(Write::measured).count();
    long expected =
        writes.entrySet().stream()
            .filter(e -> e.getValue().measured())
            .mapToLong(e -> expectedByTransfer.get(e.getKey()))
            .sum();
    List<Long> writeLatency =
        new ArrayList<>(
            writes.values().stream()
                .filter(Write::measured)
                .map(w -> w.answeredNanos() - w.sentNanos())
                .toList());
    System.out.printf(
        "writes: %d transfers in %d s measured (%d/s asked, after %d s warm-up), %d failed; write answer p50 %s p99 %s%n",
        measuredWrites, seconds, rate, warmup, failures.get(), ms(writeLatency, 0.50), ms(writeLatency, 0.99));
    System.out.printf(
        "entries: %d of %d expected entry messages arrived (%d streams over %d accounts)%n",
        fromAnswer.size(), expected, count, k);
    System.out.printf(
        "client, from the write's HTTP answer: p50 %s p99 %s max %s (%d arrived before the answer, counted as 0)%n",
        ms(fromAnswer, 0.50), ms(fromAnswer, 0.99), ms(fromAnswer, 1.0), early);
    System.out.printf(
        "client, from the write's request: p50 %s p99 %s max %s%n",
        ms(fromRequest, 0.50), ms(fromRequest, 0.99), ms(fromRequest, 1.0));
    System.out.println("server coffer_stream_commit_to_send_seconds: " + serverSummary(before, after));
    System.out.println("streams closed by the server: " + CLOSED.get());
    // Closing a thousand streams politely takes longer than the figures are worth.
    System.exit(0);
  }

  private static String ms(List<Long> nanos, double quantile) {
    if (nanos.isEmpty()) {
      return "n/a";
    }
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
    return String.format("%.1f ms", sorted.get(Math.max(0, index)) / 1e6);
  }

  private static final Pattern BUCKET =
      Pattern.compile("^coffer_stream_commit_to_send_seconds_(bucket|count|sum)\\{?(.*?)\\}? (\\S+)$");
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  /** The commit-to-send histogram's cumulative buckets, count and sum, keyed le / count / sum. */
  private static Map<String, Double> histogram(HttpClient http) {
    Buffer body =
        http.request(HttpMethod.GET, "/metrics")
            .compose(r -> r.send().compose(res -> res.body()))
            .await();
    Map<String, Double> values = new HashMap<>();
    for (String line : body.toString().split("\n")) {
      Matcher m = BUCKET.matcher(line);
      if (m.matches()) {
        String key = m.group(1);
        if (key.equals("bucket")) {
          Matcher le = LE.matcher(m.group(2));
          if (!le.find()) {
            continue;
          }
          key = le.group(1);
        }
        values.merge(key, Double.parseDouble(m.group(3)), Double::sum);
      }
    }
    return values;
  }

  private static String serverSummary(Map<String, Double> before, Map<String, Double> after) {
    double count = after.getOrDefault("count", 0.0) - before.getOrDefault("count", 0.0);
    if (count <= 0) {
      return "no sends recorded (is /metrics on?)";
    }
    double sum = after.getOrDefault("sum", 0.0) - before.getOrDefault("sum", 0.0);
    List<Map.Entry<Double, Double>> buckets = new ArrayList<>();
    for (Map.Entry<String, Double> e : after.entrySet()) {
      if (!e.getKey().equals("count") && !e.getKey().equals("sum")) {
        double le = e.getKey().equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(e.getKey());
        buckets.add(Map.entry(le, e.getValue() - before.getOrDefault(e.getKey(), 0.0)));
      }
    }
    buckets.sort(Map.Entry.comparingByKey());
    StringBuilder out =
        new StringBuilder(String.format("%.0f sends, mean %.1f ms", count, sum / count * 1000));
    for (double q : new double[] {0.50, 0.99}) {
      for (Map.Entry<Double, Double> b : buckets) {
        if (b.getValue() >= q * count) {
          out.append(String.format(", p%.0f <= %s", q * 100, bound(b.getKey())));
          break;
        }
      }
    }
    out.append(" (buckets:");
    for (Map.Entry<Double, Double> b : buckets) {
      out.append(String.format(" %s %.1f%%", bound(b.getKey()), 100 * b.getValue() / count));
    }
    return out.append(")").toString();
  }

  private static String bound(double seconds) {
    return Double.isInfinite(seconds) ? "+Inf" : String.format("%.0f ms", seconds * 1000);
  }
}
