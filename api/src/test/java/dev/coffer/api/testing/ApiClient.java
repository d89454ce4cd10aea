package dev.coffer.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real HTTP against one Coffer instance, answered synchronously for test code.
 *
 * <p>Like a well-behaved client of several sessions, it sends the latest {@code Consistency-Token}
 * it was given back on its reads, so that one user's read sees another's write as the contract
 * promises (a session alone only sees its own writes).
 */
public final class ApiClient implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final WebClient web;
  private final AtomicReference<String> latestToken = new AtomicReference<>();
  private volatile boolean propagateTokens = true;

  ApiClient(int port) {
    this(port, null);
  }

  private ApiClient(int port, String localAddress) {
    WebClientOptions options =
        new WebClientOptions()
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(port)
            .setUserAgentEnabled(false);
    if (localAddress != null) {
      options.setLocalAddress(localAddress);
    }
    this.web = WebClient.create(vertx, options);
  }

  /**
   * A client of 127.0.0.1:{@code port} whose connections come from {@code localAddress} (any of
   * 127.0.0.0/8 is this machine): a client with an address of its own behind a gateway.
   */
  public static ApiClient from(String localAddress, int port) {
    return new ApiClient(port, localAddress);
  }

  /** This client, sending no Consistency-Token but those a test gives. */
  public ApiClient withoutTokenPropagation() {
    propagateTokens = false;
    return this;
  }

  /** The body of a transfer request. */
  public static JsonObject transfer(String from, String to, long amount) {
    return new JsonObject().put("fromAccountId", from).put("toAccountId", to).put("amount", amount);
  }

  /** A user of the API: signed up and logged in. */
  public record Caller(String id, String email, String password, String token) {}

  /** Sends {@code method path} with {@code headers} and a raw {@code body} (null: none). */
  public Reply send(HttpMethod method, String path, Map<String, String> headers, Buffer body) {
    HttpRequest<Buffer> request = web.request(method, path);
    String latest = latestToken.get();
    if (propagateTokens && latest != null && method == HttpMethod.GET) {
      request.putHeader("Consistency-Token", latest);
    }
    headers.forEach(request::putHeader);
    try {
      var response =
          (body == null ? request.send() : request.sendBuffer(body)).await(30, TimeUnit.SECONDS);
      MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(response.headers());
      String token = copy.get("Consistency-Token");
      if (token != null) {
        // Fixed-width hex: string order is log order.
        latestToken.accumulateAndGet(token, (a, b) -> a == null || a.compareTo(b) < 0 ? b : a);
      }
      return new Reply(response.statusCode(), copy, response.body());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  public Reply get(String path, String token) {
    return send(HttpMethod.GET, path, auth(token), null);
  }

  public Reply get(String path, String token, Map<String, String> headers) {
    Map<String, String> all = new java.util.HashMap<>(auth(token));
    all.putAll(headers);
    return send(HttpMethod.GET, path, all, null);
  }

  /** POSTs JSON without an Idempotency-Key. */
  public Reply post(String path, String token, JsonObject body) {
    Map<String, String> headers = new java.util.HashMap<>(auth(token));
    headers.put("Content-Type", "application/json");
    return send(HttpMethod.POST, path, headers, body == null ? null : body.toBuffer());
  }

  /** POSTs JSON with {@code key} as Idempotency-Key. */
  public Reply post(String path, String token, String key, JsonObject body) {
    Map<String, String> headers = new java.util.HashMap<>(auth(token));
    headers.put("Idempotency-Key", key);
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    return send(HttpMethod.POST, path, headers, body == null ? null : body.toBuffer());
  }

  /** POSTs JSON with a fresh Idempotency-Key. */
  public Reply move(String path, String token, JsonObject body) {
    return post(path, token, UUID.randomUUID().toString(), body);
  }

  public Reply delete(String path, String token) {
    return send(HttpMethod.DELETE, path, auth(token), null);
  }

  /** Signs up a new user and logs in. */
  public Caller newCaller() {
    String email = "u-" + UUID.randomUUID() + "@example.com";
    String password = "pw-" + UUID.randomUUID();
    Reply created =
        post("/v1/users", null, new JsonObject().put("email", email).put("password", password));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return new Caller(created.json().getString("id"), email, password, logIn(email, password));
  }

  /** Logs in; returns the token. */
  public String logIn(String email, String password) {
    Reply session =
        post("/v1/sessions", null, new JsonObject().put("email", email).put("password", password));
    assertThat(session.status()).as(session.toString()).isEqualTo(201);
    return session.json().getString("token");
  }

  /** Opens an account; returns its id. */
  public String openAccount(Caller caller, String currency) {
    Reply account =
        post("/v1/accounts", caller.token(), new JsonObject().put("currency", currency));
    assertThat(account.status()).as(account.toString()).isEqualTo(201);
    return account.json().getString("id");
  }

  /** Deposits {@code amount}; returns the transfer. */
  public JsonObject deposit(Caller caller, String account, long amount) {
    Reply deposit =
        move(
            "/v1/deposits",
            caller.token(),
            new JsonObject().put("accountId", account).put("amount", amount));
    assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
    return deposit.json();
  }

  /** Reserves {@code amount} by a pending transfer of {@code caller}'s; returns its id. */
  public String pending(Caller caller, String from, String to, long amount) {
    Reply pending =
        move("/v1/transfers", caller.token(), transfer(from, to, amount).put("pending", true));
    assertThat(pending.status()).as(pending.toString()).isEqualTo(201);
    return pending.json().getString("id");
  }

  /** The account as its owner sees it. */
  public JsonObject account(Caller caller, String account) {
    Reply reply = get("/v1/accounts/" + account, caller.token());
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }

  private static Map<String, String> auth(String token) {
    return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
  }

  @Override
  public void close() {
    web.close();
    vertx.close();
  }
}
