package dev.coffer.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile WebSocket messages to {@code /v1/stream}, after the upgrade, against a Coffer on the real
 * stack: random and hostile JSON, bad ops, wrong types, bad and foreign account ids, every odd
 * {@code since}, lists past the cap, duplicates, binary frames, invalid JSON, frames over 64 KiB.
 * Every message the server sends must be one the contract describes (an {@code error} with a
 * documented code, {@code subscribed}, {@code unsubscribed}, {@code entry}, {@code heartbeat}), no
 * entry of another user's account may arrive, the only close is 1009 right after an oversized
 * frame, and afterwards the service is ready and a fresh stream still receives a new entry.
 *
 * <p>{@code -Dfuzz.streamMessages} (default 2000), {@code -Dfuzz.seed} (default: random, printed),
 * {@code -Dfuzz.threads} (default 4). Connection {@code c}'s messages come from the seed and {@code
 * c} alone.
 */
class FuzzStreamTest {
  private static final int PER_CONNECTION = 100;
  private static final Set<String> TYPES =
      Set.of("subscribed", "unsubscribed", "entry", "error", "heartbeat");
  private static final Set<String> CODES =
      Set.of(
          "validation",
          "malformed-json",
          "not-found",
          "stream-limit",
          "rate-limited",
          "service-unavailable");

  private static ApiInstance instance;
  private static ApiClient api;
  private static Vertx vertx;
  private static WebSocketClient sockets;

  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    // Enough messages a second that most frames are parsed; the fuzzer's bursts still meet the
    // limit now and then.
    instance = ApiInstance.start(Map.of("COFFER_STREAM_MESSAGES_PER_SECOND", "200"));
    api = instance.client();
    vertx = Vertx.vertx();
    // A client that writes frames as large as it is told to.
    sockets =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    instance.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** What the fuzzer aims at: accounts of its user, of another user, and that user's token. */
  private record World(Caller me, List<String> own, List<String> others) {}

  @Test
  void hostileStreamMessagesGetDocumentedAnswersAndTheServiceStaysHealthy() throws Exception {
    long seed = Long.getLong("fuzz.seed", new Random().nextLong());
    int messages = Integer.getInteger("fuzz.streamMessages", 2000);
    int threads = Integer.getInteger("fuzz.threads", 4);
    System.out.printf("fuzz-stream: seed %d, %d messages, %d threads%n", seed, messages, threads);
    Caller me = api.newCaller();
    Caller other = api.newCaller();
    List<String> own = List.of(api.openAccount(me, "EUR"), api.openAccount(me, "USD"));
    List<String> others = List.of(api.openAccount(other, "EUR"));
    for (String account : own) {
      api.deposit(me, account, 1_000);
    }
    api.deposit(other, others.get(0), 1_000);
    World world = new World(me, own, others);

    int connections = (messages + PER_CONNECTION - 1) / PER_CONNECTION;
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int c = 0; c < connections; c++) {
      int connection = c;
      int count = Math.min(PER_CONNECTION, messages - c * PER_CONNECTION);
      pool.submit(
          () -> {
            try {
              fuzzOne(
                  world, new Random(seed * 0x9E3779B97F4A7C15L + connection), count, connection);
            } catch (Exception e) {
              failures.add("connection " + connection + ": " + e);
            }
          });
    }
    // Money keeps moving meanwhile, so that subscriptions have entries to deliver.
    for (int i = 0; i < 10; i++) {
      api.deposit(me, own.get(i % 2), 1);
      api.deposit(other, others.get(0), 1);
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.MINUTES)).isTrue();
    System.out.printf(
        "fuzz-stream: %d messages over %d connections in %.1f s; received %s; closes %s%n",
        messages,
        connections,
        (System.nanoTime() - started) / 1e9,
        new TreeMap<>(counts(received)),
        new TreeMap<>(counts(closes)));
    assertThat(failures).as("seed %d", seed).isEmpty();

    // Still healthy: ready, and a fresh stream gets a new entry.
    assertThat(api.get("/health/ready", null).status()).isEqualTo(200);
    Connection fresh = Connection.open(me.token());
    fresh.socket.writeTextMessage(
        new JsonObject()
            .put("op", "subscribe")
            .put("accounts", new JsonArray().add(new JsonObject().put("id", own.get(0))))
            .encode());
    assertThat(fresh.next().getString("type")).isEqualTo("subscribed");
    api.deposit(me, own.get(0), 5);
    assertThat(fresh.next().getString("type")).isEqualTo("entry");
    fresh.socket.close();
  }

  /** One client's socket and what it received. */
  private record Connection(
      WebSocket socket, BlockingQueue<String> messages, BlockingQueue<Short> closed) {
    static Connection open(String token) throws Exception {
      WebSocket socket = null;
      // A handshake is refused 503 while Redis cannot answer in time (a loaded machine): the
      // documented answer, retried as a client would.
      for (int attempt = 1; socket == null; attempt++) {
        try {
          socket =
              sockets
                  .connect(
                      new WebSocketConnectOptions()
                          .setHost("127.0.0.1")
                          .setPort(instance.port())
                          .setURI("/v1/stream")
                          .addSubProtocol("bearer." + token))
                  .await(10, TimeUnit.SECONDS);
        } catch (UpgradeRejectedException e) {
          if (e.getStatus() != 503 || attempt == 20) {
            throw e;
          }
          Thread.sleep(250);
        }
      }
      return listen(socket);
    }

    private static Connection listen(WebSocket socket) {
      BlockingQueue<String> messages = new LinkedBlockingQueue<>();
      BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
      socket.textMessageHandler(messages::add);
      socket.binaryMessageHandler(b -> messages.add("<binary " + b.length() + " bytes>"));
      socket.closeHandler(
          v -> closed.add(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
      return new Connection(socket, messages, closed);
    }

    JsonObject next() throws InterruptedException {
      while (true) {
        String text = messages.poll(10, TimeUnit.SECONDS);
        assertThat(text).as("a message within 10 s").isNotNull();
        JsonObject message = new JsonObject(text);
        if (!"heartbeat".equals(message.getString("type"))) {
          return message;
        }
      }
    }
  }

  private void fuzzOne(World world, Random random, int count, int index) throws Exception {
    Connection connection = Connection.open(world.me().token());
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Frame frame = frame(world, random);
      sent.add(frame.describe());
      if (frame.binary()) {
        connection.socket().writeBinaryMessage(Buffer.buffer(frame.text()));
      } else {
        connection.socket().writeFinalTextFrame(frame.text());
      }
      if (frame.oversized()) {
        Short code = connection.closed().poll(10, TimeUnit.SECONDS);
        judge(connection, world, index, sent);
        closes.computeIfAbsent(String.valueOf(code), k -> new LongAdder()).increment();
        if (code == null || code != 1009) {
          failures.add(
              "connection " + index + ": an oversized frame closed with " + code + " not 1009");
        }
        connection = Connection.open(world.me().token());
        sent.clear();
      }
    }
    // Every answer is in once none has come for half a second.
    String text;
    List<String> rest = new ArrayList<>();
    while ((text = connection.messages().poll(500, TimeUnit.MILLISECONDS)) != null) {
      rest.add(text);
    }
    connection.messages().addAll(rest);
    judge(connection, world, index, sent);
    Short unexpected = connection.closed().poll();
    if (unexpected != null) {
      failures.add("connection " + index + ": closed with " + unexpected + " after " + sent);
    }
    connection.socket().close();
  }

  private void judge(Connection connection, World world, int index, List<String> sent) {
    String text;
    while ((text = connection.messages().poll()) != null) {
      JsonObject message;
      try {
        message = new JsonObject(text);
      } catch (RuntimeException e) {
        failures.add("connection " + index + ": not a JSON object: " + text);
        continue;
      }
      String type = message.getString("type");
      received.computeIfAbsent(String.valueOf(type), k -> new LongAdder()).increment();
      if (!TYPES.contains(type)) {
        failures.add("connection " + index + ": unknown message " + text);
      } else if ("error".equals(type) && !CODES.contains(message.getString("code"))) {
        failures.add("connection " + index + ": undocumented error " + text);
      } else if (("entry".equals(type) || "subscribed".equals(type))
          && !world.own().contains(message.getString("accountId"))) {
        failures.add("connection " + index + ": " + type + " of an account not its own: " + text);
      }
    }
  }

  /** One frame to send: its text (bytes for a binary frame), and what it is. */
  private record Frame(String text, boolean binary, boolean oversized, String kind) {
    String describe() {
      return kind + (text.length() > 80 ? " (" + text.length() + " chars)" : ": " + text);
    }
  }

  private static Frame text(String kind, String text) {
    return new Frame(text, false, false, kind);
  }

  private Frame frame(World world, Random random) {
    return switch (random.nextInt(12)) {
      case 0, 1, 2 -> text("subscribe", op(world, random, "subscribe").encode());
      case 3 -> text("unsubscribe", op(world, random, "unsubscribe").encode());
      case 4 -> text("random json", randomJson(random, 0).toString());
      case 5 -> text("bad op", badOp(world, random));
      case 6 -> text("broken json", brokenJson(world, random));
      case 7 -> text("past the cap", pastTheCap(world, random));
      case 8 -> new Frame("binary \u0000\u0001", true, false, "binary");
      case 9 -> text("odd since", oddSince(world, random));
      case 10 ->
          random.nextInt(8) == 0
              ? new Frame("x".repeat(65_537 + random.nextInt(100_000)), false, true, "oversized")
              : text("just under 64 KiB", padded(world, 60_000 + random.nextInt(5_000)));
      default -> text("duplicates", duplicates(world, random));
    };
  }

  private static String anyId(World world, Random random) {
    return switch (random.nextInt(6)) {
      case 0, 1 -> world.own().get(random.nextInt(world.own().size()));
      case 2 -> world.others().get(0);
      case 3 -> UUID.randomUUID().toString();
      case 4 ->
          List.of("", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "' OR 1=1 --")
              .get(random.nextInt(4));
      default -> world.own().get(0).toUpperCase();
    };
  }

  private JsonObject op(World world, Random random, String op) {
    JsonArray accounts = new JsonArray();
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      JsonObject item = new JsonObject().put("id", anyId(world, random));
      if (random.nextBoolean()) {
        item.put("since", random.nextInt(4));
      }
      accounts.add(item);
    }
    return new JsonObject().put("op", op).put("accounts", accounts);
  }

  private Object randomJson(Random random, int depth) {
    int pick = depth > 4 ? random.nextInt(4) : random.nextInt(7);
    return switch (pick) {
      case 0 -> random.nextLong();
      case 1 -> "s" + random.nextInt();
      case 2 -> random.nextBoolean();
      case 3 -> random.nextDouble() * 1e300;
      case 4 -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(randomJson(random, depth + 1));
        }
        yield array;
      }
      default -> {
        JsonObject object = new JsonObject();
        for (int i = random.nextInt(4); i > 0; i--) {
          object.put(
              List.of("op", "accounts", "id", "since", "x").get(random.nextInt(5)),
              randomJson(random, depth + 1));
        }
        yield object;
      }
    };
  }

  private String badOp(World world, Random random) {
    String id = world.own().get(0);
    return List.of(
            "{\"op\":\"SUBSCRIBE\",\"accounts\":[{\"id\":\"" + id + "\"}]}",
            "{\"op\":null,\"accounts\":[]}",
            "{\"op\":\"subscribe\"}",
            "{\"op\":\"subscribe\",\"accounts\":{\"id\":\"" + id + "\"}}",
            "{\"op\":\"subscribe\",\"accounts\":\"" + id + "\"}",
            "{\"op\":[\"subscribe\"],\"accounts\":[]}",
            "{\"op\":\"publish\",\"accounts\":[{\"id\":\"" + id + "\"}]}",
            "{\"op\":\"subscribe\",\"accounts\":[\"" + id + "\"]}",
            "{\"op\":\"subscribe\",\"accounts\":[{\"id\":7}]}",
            "{\"op\":\"subscribe\",\"accounts\":[null,1,\"x\",[]]}")
        .get(random.nextInt(10));
  }

  private String brokenJson(World world, Random random) {
    String valid = op(world, random, "subscribe").encode();
    return switch (random.nextInt(8)) {
      case 0 -> valid.substring(0, random.nextInt(valid.length()));
      case 1 -> valid + "garbage";
      case 2 -> "[" + valid + "]";
      case 3 -> "";
      case 4 -> "   ";
      case 5 -> "{\"op\":\"subscribe\",\"op\":\"unsubscribe\",\"accounts\":[]}";
      case 6 -> "{\"op\":\"subscribe\",\"accounts\":[{\"id\":\"\\ud800\"}]}";
      default -> "{".repeat(1 + random.nextInt(5_000));
    };
  }

  private String pastTheCap(World world, Random random) {
    JsonArray accounts = new JsonArray();
    int n = 101 + random.nextInt(1_000);
    for (int i = 0; i < n; i++) {
      accounts.add(
          new JsonObject()
              .put(
                  "id",
                  random.nextInt(10) == 0 ? world.own().get(0) : UUID.randomUUID().toString()));
    }
    return new JsonObject().put("op", "subscribe").put("accounts", accounts).encode();
  }

  private String oddSince(World world, Random random) {
    String since =
        List.of(
                "1.5",
                "1e30",
                "-1",
                "9223372036854775807",
                "9223372036854775808",
                "\"3\"",
                "null",
                "true",
                "[]",
                "{}",
                "1.0",
                "9007199254740992",
                "0",
                "9007199254740991")
            .get(random.nextInt(14));
    return "{\"op\":\"subscribe\",\"accounts\":[{\"id\":\""
        + world.own().get(random.nextInt(world.own().size()))
        + "\",\"since\":"
        + since
        + "}]}";
  }

  private String padded(World world, int size) {
    String head =
        "{\"op\":\"unsubscribe\",\"accounts\":[{\"id\":\"" + world.own().get(0) + "\"}],\"pad\":\"";
    return head + "x".repeat(Math.max(0, size - head.length() - 2)) + "\"}";
  }

  private String duplicates(World world, Random random) {
    JsonObject item =
        new JsonObject().put("id", world.own().get(random.nextInt(world.own().size())));
    if (random.nextBoolean()) {
      item.put("since", 0);
    }
    JsonArray accounts = new JsonArray();
    for (int i = 2 + random.nextInt(5); i > 0; i--) {
      accounts.add(item.copy());
    }
    return new JsonObject().put("op", "subscribe").put("accounts", accounts).encode();
  }

  private static Map<String, Long> counts(Map<String, LongAdder> adders) {
    Map<String, Long> counts = new TreeMap<>();
    adders.forEach((k, v) -> counts.put(k, v.sum()));
    return counts;
  }
}
