package dev.coffer.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.fuzz.HostileRequests.Request;
import dev.coffer.api.fuzz.HostileRequests.World;
import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.RawHttp;
import dev.coffer.api.testing.Reply;
import dev.coffer.ledger.LedgerExtension;
import dev.coffer.ledger.LedgerFixture;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile requests generated from {@code openapi.yaml}, over real HTTP, against a Coffer on the
 * real stack. Every answer must be below 500, every error a problem+json with a code the contract
 * lists, and no money may move but by a request that was answered 2xx.
 *
 * <p>{@code -Dfuzz.requests} (default 5000), {@code -Dfuzz.seed} (default: random, printed), {@code
 * -Dfuzz.threads} (default 4). Request {@code i} is generated from the seed and {@code i} alone, so
 * a failure's seed and index rebuild it ({@code -Dfuzz.only=i}); ids and tokens are those of the
 * run.
 */
@ExtendWith(LedgerExtension.class)
class FuzzApiTest {
  private static final ApiInstance instance = ApiInstance.start(Map.of());
  private static final int MAX_FAILURES_SHOWN = 15;

  private final Contract contract = Contract.load();
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> operations = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong slowest =
      new java.util.concurrent.atomic.AtomicLong();

  @AfterAll
  static void stop() {
    instance.close();
  }

  @Test
  void hostileRequestsGetProblemsNeverFiveHundredsAndMoveNoMoney(LedgerFixture ledger)
      throws Exception {
    long seed = Long.getLong("fuzz.seed", new Random().nextLong());
    int requests = Integer.getInteger("fuzz.requests", 5000);
    int threads = Integer.getInteger("fuzz.threads", 4);
    Integer only = Integer.getInteger("fuzz.only");
    System.out.printf("fuzz: seed %d, %d requests, %d threads%n", seed, requests, threads);

    ApiClient setup = instance.client();
    World world = world(setup);
    List<String> fuzzAccounts = new ArrayList<>(world.ownAccounts());
    fuzzAccounts.addAll(world.othersAccounts());
    HostileRequests generator = new HostileRequests(contract, world);

    ApiClient fuzz = instance.client().withoutTokenPropagation();
    AtomicInteger nextIndex = new AtomicInteger(only == null ? 0 : only);
    int end = only == null ? requests : only + 1;
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.submit(
          () -> {
            int i;
            while ((i = nextIndex.getAndIncrement()) < end
                && failures.size() < MAX_FAILURES_SHOWN) {
              Request request = generator.next(new Random(seed * 0x9E3779B97F4A7C15L + i));
              try {
                long sent = System.nanoTime();
                Reply reply = send(fuzz, request);
                long millis = (System.nanoTime() - sent) / 1_000_000;
                slowest.accumulateAndGet(millis, Math::max);
                if (millis > 2_000) {
                  System.out.printf("fuzz: #%d took %d ms: %s%n", i, millis, request);
                }
                judge(i, request, reply);
              } catch (RuntimeException | IOException e) {
                failures.add("#" + i + " " + request + "\n    no answer: " + e);
              }
            }
          });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(2, TimeUnit.HOURS)).isTrue();
    double seconds = (System.nanoTime() - started) / 1e9;
    // Else most of the run would have been 401s that never reached the operations.
    for (String token : List.of(world.token(), world.otherToken())) {
      assertThat(setup.get("/v1/accounts", token).status())
          .as("the run's sessions are still alive (seed %d)", seed)
          .isEqualTo(200);
    }
    fuzz.close();
    setup.close();

    System.out.printf(
        "fuzz: %d requests in %.1f s (%.0f/s), slowest %d ms; statuses %s; operations %s%n",
        Math.min(nextIndex.get(), end) - (only == null ? 0 : only),
        seconds,
        Math.min(nextIndex.get(), end) / seconds,
        slowest.get(),
        new TreeMap<>(counts(statuses)),
        new TreeMap<>(counts(operations)));
    assertThat(failures)
        .as("seed %d (rerun with -Dfuzz.seed=%d -Dfuzz.only=<#>)", seed, seed)
        .isEmpty();
    assertNoMoneyMovedUnacknowledged(ledger, fuzzAccounts, seed);
    ledger.assertInvariants();
  }

  /** Two users with funded accounts and transfers in every state the fuzzer can aim at. */
  private World world(ApiClient setup) {
    Caller me = setup.newCaller();
    Caller other = setup.newCaller();
    List<String> mine =
        List.of(
            setup.openAccount(me, "USD"),
            setup.openAccount(me, "EUR"),
            setup.openAccount(me, "USD"));
    List<String> theirs = List.of(setup.openAccount(other, "USD"), setup.openAccount(other, "EUR"));
    for (String account : mine) {
      acknowledge(setup.deposit(me, account, 1_000_000_000L));
    }
    acknowledge(setup.deposit(other, theirs.get(0), 1_000_000_000L));
    List<String> transfers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = setup.pending(me, mine.get(0), theirs.get(0), 100);
      acknowledged.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add("pending");
      transfers.add(id);
    }
    String theirPending = setup.pending(other, theirs.get(0), mine.get(0), 100);
    acknowledged.computeIfAbsent(theirPending, k -> ConcurrentHashMap.newKeySet()).add("pending");
    transfers.add(theirPending);
    JsonObject posted =
        setup
            .move("/v1/transfers", me.token(), ApiClient.transfer(mine.get(0), mine.get(2), 7))
            .json();
    acknowledge(posted);
    transfers.add(posted.getString("id"));
    // A key to fuzz with (which may revoke only itself and keys it makes), and one to aim at.
    Reply key =
        setup.post(
            "/v1/api-keys",
            me.token(),
            new JsonObject()
                .put("name", "fuzz")
                .put(
                    "scopes",
                    new JsonArray()
                        .add("accounts:read")
                        .add("transfers:write")
                        .add("api-keys:write")
                        .add("exports:read"))
                .put("accounts", new JsonArray().add(mine.get(0)).add(mine.get(1))));
    Reply target =
        setup.post(
            "/v1/api-keys",
            me.token(),
            new JsonObject()
                .put("name", "target")
                .put("scopes", new JsonArray().add("accounts:read")));
    assertThat(key.status()).as(key.toString()).isEqualTo(201);
    assertThat(target.status()).as(target.toString()).isEqualTo(201);
    return new World(
        mine,
        theirs,
        transfers,
        me.token(),
        other.token(),
        () -> setup.logIn(me.email(), me.password()),
        key.json().getString("key"),
        // Not the fuzzing key's own id: revoking it would leave the rest of the run 401.
        List.of(target.json().getString("id")));
  }

  // ---- sending

  private static Reply send(ApiClient client, Request request) throws IOException {
    if (!request.raw() && !needsRaw(request)) {
      try {
        return client.send(
            HttpMethod.valueOf(request.method()),
            request.target(),
            request.headers(),
            request.body() == null ? null : Buffer.buffer(request.body()));
      } catch (IllegalStateException e) {
        // The server may answer (413, say) and close before the client has written the whole
        // body; the plain socket sees that answer.
      }
    }
    return sendRaw(request);
  }

  /**
   * Targets and header values the HTTP client refuses to write (non-ASCII, spaces, controls): it
   * fails them on its event loop and never completes the request.
   */
  private static boolean needsRaw(Request request) {
    return request.target().chars().anyMatch(c -> c >= 0x7F || c <= 0x20)
        || request.headers().values().stream()
            .anyMatch(v -> v.chars().anyMatch(c -> c >= 0x7F || (c < 0x20 && c != '\t')));
  }

  private static Reply sendRaw(Request request) throws IOException {
    StringBuilder head = new StringBuilder();
    head.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(instance.port()).append("\r\n");
    request.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (request.body() != null) {
      head.append("Content-Length: ").append(request.body().length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", instance.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (request.body() != null) {
          out.write(request.body());
        }
        out.flush();
      } catch (IOException e) {
        // closed after an early answer: read it
      }
      RawHttp.Exchange exchange = RawHttp.readAll(socket, socket.getInputStream());
      if (exchange.status() < 0) {
        throw new IOException("no HTTP answer (closed: " + exchange.closed() + ")");
      }
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      String text = exchange.text();
      int endOfHead = text.indexOf("\r\n\r\n");
      for (String line : text.substring(0, Math.max(endOfHead, 0)).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
      }
      String body = exchange.body();
      if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
        body = dechunk(body);
      }
      return new Reply(
          exchange.status(), headers, Buffer.buffer(body.getBytes(StandardCharsets.ISO_8859_1)));
    }
  }

  private static String dechunk(String chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < chunked.length()) {
      int lineEnd = chunked.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      byte[] bytes =
          chunked
              .substring(lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size))
              .getBytes(StandardCharsets.ISO_8859_1);
      out.write(bytes, 0, bytes.length);
      at = lineEnd + 2 + size + 2;
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  // ---- judging

  private void judge(int index, Request request, Reply reply) {
    statuses.computeIfAbsent(Integer.toString(reply.status()), k -> new LongAdder()).increment();
    operations.computeIfAbsent(request.operation(), k -> new LongAdder()).increment();
    String problem = problemWith(request, reply);
    if (problem != null) {
      String body = reply.text();
      failures.add(
          "#"
              + index
              + " "
              + request
              + "\n    answered "
              + reply.status()
              + " "
              + reply.header("Content-Type")
              + " "
              + body.substring(0, Math.min(500, body.length()))
              + "\n    => "
              + problem);
      return;
    }
    if (reply.status() / 100 == 2 && request.method().equals("POST")) {
      JsonObject json;
      try {
        json = decoded(reply).toJsonObject();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (json.getValue("data") instanceof JsonArray data) {
        data.forEach(t -> acknowledge((JsonObject) t));
      } else if (json.containsKey("status") && json.containsKey("amount")) {
        acknowledge(json);
      }
    }
  }

  /** Why {@code reply} breaks the contract, or null. */
  private String problemWith(Request request, Reply reply) {
    if (reply.status() >= 500) {
      return "a 5xx";
    }
    if (reply.status() < 400) {
      return null;
    }
    String type = reply.header("Content-Type");
    if (!"application/problem+json".equals(type)) {
      return "an error that is not application/problem+json";
    }
    if (request.method().equals("HEAD")) {
      return null;
    }
    JsonObject body;
    try {
      body = decoded(reply).toJsonObject();
    } catch (RuntimeException | IOException e) {
      return "a problem body that is not JSON";
    }
    if (!contract.problemCodes.contains(body.getString("code"))) {
      return "a code the contract does not list";
    }
    if (!Integer.valueOf(reply.status()).equals(body.getInteger("status"))) {
      return "a problem whose status is not the answer's";
    }
    return null;
  }

  /** The body without its Content-Encoding (the fuzzer asks for gzip at times). */
  private static Buffer decoded(Reply reply) throws IOException {
    String encoding = reply.header("Content-Encoding");
    byte[] bytes = reply.body() == null ? new byte[0] : reply.body().getBytes();
    if (encoding == null || encoding.equalsIgnoreCase("identity")) {
      return Buffer.buffer(bytes);
    }
    java.io.InputStream in =
        switch (encoding.toLowerCase(java.util.Locale.ROOT)) {
          case "gzip" -> new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes));
          case "deflate" ->
              new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(bytes));
          default -> throw new IOException("unknown Content-Encoding " + encoding);
        };
    try (in) {
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private void acknowledge(JsonObject transfer) {
    acknowledged
        .computeIfAbsent(transfer.getString("id"), k -> ConcurrentHashMap.newKeySet())
        .add(transfer.getString("status"));
  }

  /**
   * Every transfer on a fuzzed account was answered 2xx to someone, in its current state (a pending
   * one may have expired on its own).
   */
  private void assertNoMoneyMovedUnacknowledged(
      LedgerFixture ledger, List<String> accounts, long seed) {
    String ids = accounts.stream().map(a -> "'" + a + "'").collect(Collectors.joining(","));
    List<String> unacknowledged = new ArrayList<>();
    int checked = 0;
    for (Row row :
        ledger.query(
            "SELECT id::text AS id, status FROM transfers WHERE from_account_id IN ("
                + ids
                + ") OR to_account_id IN ("
                + ids
                + ")")) {
      checked++;
      Set<String> seen = acknowledged.getOrDefault(row.getString("id"), Set.of());
      String status = row.getString("status");
      boolean explained =
          seen.contains(status) || (status.equals("expired") && seen.contains("pending"));
      if (!explained) {
        unacknowledged.add(row.getString("id") + " " + status + " (answered: " + seen + ")");
      }
    }
    System.out.printf("fuzz: %d transfers on the fuzzed accounts checked%n", checked);
    assertThat(unacknowledged).as("transfers no 2xx answer accounts for (seed %d)", seed).isEmpty();
  }

  private static Map<String, Long> counts(Map<String, LongAdder> adders) {
    return adders.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()));
  }
}
