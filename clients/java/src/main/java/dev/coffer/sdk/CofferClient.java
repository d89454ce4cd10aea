package dev.coffer.sdk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.coffer.sdk.http.ConsistencyTokens;
import dev.coffer.sdk.http.RetryPolicy;
import dev.coffer.sdk.http.Transport;
import dev.coffer.sdk.model.Account;
import dev.coffer.sdk.model.AccountBalance;
import dev.coffer.sdk.model.AccountPage;
import dev.coffer.sdk.model.CreatedApiKey;
import dev.coffer.sdk.model.Credentials;
import dev.coffer.sdk.model.EntryPage;
import dev.coffer.sdk.model.EventPage;
import dev.coffer.sdk.model.NewAccount;
import dev.coffer.sdk.model.NewApiKey;
import dev.coffer.sdk.model.NewDeposit;
import dev.coffer.sdk.model.NewReversal;
import dev.coffer.sdk.model.NewTransfer;
import dev.coffer.sdk.model.NewTransferBatch;
import dev.coffer.sdk.model.NewUser;
import dev.coffer.sdk.model.NewWebhook;
import dev.coffer.sdk.model.Session;
import dev.coffer.sdk.model.Transfer;
import dev.coffer.sdk.model.TransferList;
import dev.coffer.sdk.model.TransferPage;
import dev.coffer.sdk.model.User;
import dev.coffer.sdk.model.Webhook;
import dev.coffer.sdk.stream.CofferStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A client of the Coffer API, for one caller (a session's token or an API key, or none before
 * logging in). Thread-safe.
 *
 * <p>What it does besides the calls: every POST that moves money carries an {@code Idempotency-Key}
 * (a new UUID per call unless the caller gives one), and is retried with that same key after a lost
 * answer, a 5xx or a 429 (see {@link RetryPolicy}), so money moves once; reads send the latest
 * {@code Consistency-Token} this client was answered, so they see its writes on any instance; and
 * problem answers are thrown as exceptions typed by their {@code code} ({@link
 * dev.coffer.sdk.problem.Problems}).
 */
public final class CofferClient {
  private final Transport transport;
  private final String token;
  private final ConsistencyTokens consistency;
  private final Supplier<String> idempotencyKeys;
  private final URI base;
  private final HttpClient http;

  private CofferClient(Builder builder, String token) {
    this.base = builder.base;
    this.http = builder.http;
    this.transport =
        new Transport(
            builder.http,
            builder.base,
            builder.json,
            builder.retries,
            builder.timeout,
            builder.sleeper);
    this.token = token;
    this.consistency = new ConsistencyTokens();
    this.idempotencyKeys = builder.idempotencyKeys;
  }

  private CofferClient(CofferClient from, String token) {
    this.base = from.base;
    this.http = from.http;
    this.transport = from.transport;
    this.token = token;
    this.consistency = new ConsistencyTokens();
    this.idempotencyKeys = from.idempotencyKeys;
  }

  /** A client of the instance (or load balancer) at {@code baseUri}, e.g. http://localhost:8080. */
  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  /**
   * The same service and settings, as the caller with {@code token} (a session's or an API key).
   */
  public CofferClient withToken(String token) {
    return new CofferClient(this, token);
  }

  /**
   * Makes this client's reads at least as fresh as {@code consistencyToken}: a write's token from
   * another client (another session, an API key, a webhook's sender), so that reads here see it.
   */
  public CofferClient seeing(String consistencyToken) {
    consistency.observe(consistencyToken);
    return this;
  }

  /** Registers a user ({@code POST /v1/users}). */
  public User signUp(String email, String password) {
    return post("/v1/users", new NewUser().email(email).password(password), null, User.class);
  }

  /** Logs in ({@code POST /v1/sessions}); {@link #withToken} the session's token to act as it. */
  public Session logIn(String email, String password) {
    return post(
        "/v1/sessions", new Credentials().email(email).password(password), null, Session.class);
  }

  /** Logs in and answers a client acting as that session. */
  public CofferClient loggedIn(String email, String password) {
    return withToken(logIn(email, password).getToken());
  }

  public Account createAccount(NewAccount account) {
    return post("/v1/accounts", account, null, Account.class);
  }

  public Account getAccount(String id) {
    return get("/v1/accounts/" + segment(id), Account.class);
  }

  public AccountPage listAccounts(Integer limit, String cursor) {
    return get("/v1/accounts" + page(limit, cursor), AccountPage.class);
  }

  /** The account's entries, newest first. */
  public EntryPage listEntries(String accountId, Integer limit, String cursor) {
    return get(
        "/v1/accounts/" + segment(accountId) + "/entries" + page(limit, cursor), EntryPage.class);
  }

  public AccountBalance getBalance(String accountId) {
    return get("/v1/accounts/" + segment(accountId) + "/balance", AccountBalance.class);
  }

  public Transfer getTransfer(String id) {
    return get("/v1/transfers/" + segment(id), Transfer.class);
  }

  public Transfer deposit(NewDeposit deposit) {
    return deposit(deposit, idempotencyKeys.get());
  }

  /** A deposit under the caller's own key: the same key again is the same deposit. */
  public Transfer deposit(NewDeposit deposit, String idempotencyKey) {
    return post("/v1/deposits", deposit, idempotencyKey, Transfer.class);
  }

  public Transfer withdraw(NewDeposit withdrawal) {
    return withdraw(withdrawal, idempotencyKeys.get());
  }

  public Transfer withdraw(NewDeposit withdrawal, String idempotencyKey) {
    return post("/v1/withdrawals", withdrawal, idempotencyKey, Transfer.class);
  }

  public Transfer transfer(NewTransfer transfer) {
    return transfer(transfer, idempotencyKeys.get());
  }

  public Transfer transfer(NewTransfer transfer, String idempotencyKey) {
    return post("/v1/transfers", transfer, idempotencyKey, Transfer.class);
  }

  /** Up to 100 transfers, all or none. */
  public TransferList transferBatch(NewTransferBatch batch) {
    return post("/v1/transfers:batch", batch, idempotencyKeys.get(), TransferList.class);
  }

  public Transfer postTransfer(String id) {
    return post(
        "/v1/transfers/" + segment(id) + "/post", null, idempotencyKeys.get(), Transfer.class);
  }

  public Transfer voidTransfer(String id) {
    return post(
        "/v1/transfers/" + segment(id) + "/void", null, idempotencyKeys.get(), Transfer.class);
  }

  /** Refunds {@code reversal.amount} of a posted transfer (all that is left when null). */
  public Transfer reverseTransfer(String id, NewReversal reversal) {
    return post(
        "/v1/transfers/" + segment(id) + "/reverse",
        reversal,
        idempotencyKeys.get(),
        Transfer.class);
  }

  /** Transfers touching the caller's accounts, newest first; {@code account} may be null. */
  public TransferPage listTransfers(String account, Integer limit, String cursor) {
    String query = page(limit, cursor);
    if (account != null) {
      query += (query.isEmpty() ? "?" : "&") + "account=" + segment(account);
    }
    return get("/v1/transfers" + query, TransferPage.class);
  }

  /** An API key for a machine client; {@code getKey()} is shown in this answer only. */
  public CreatedApiKey createApiKey(NewApiKey key) {
    return post("/v1/api-keys", key, null, CreatedApiKey.class);
  }

  /** Revokes a key and every key it created, on every instance at once. */
  public void revokeApiKey(String id) {
    transport.send(
        new Transport.Call("DELETE", "/v1/api-keys/" + segment(id), null, token, null, consistency),
        Void.class);
  }

  /** An endpoint for events; {@code getSecret()} is shown in this answer only. */
  public Webhook createWebhook(NewWebhook webhook) {
    return post("/v1/webhooks", webhook, null, Webhook.class);
  }

  /** The caller's events, newest first. */
  public EventPage listEvents(Integer limit, String cursor) {
    return get("/v1/events" + page(limit, cursor), EventPage.class);
  }

  /** Logs the session out. */
  public void logOut() {
    transport.send(
        new Transport.Call("DELETE", "/v1/sessions/current", null, token, null, consistency),
        Void.class);
  }

  /** The token this client sends (null before logging in). */
  String token() {
    return token;
  }

  /** The latest Consistency-Token this client was answered (null before its first write). */
  public String consistencyToken() {
    return consistency.current();
  }

  /** A stream of this caller's new journal entries, resumed by {@code since} on reconnects. */
  public CofferStream stream(CofferStream.Listener listener) {
    return new CofferStream(http, base, token, transport.json(), listener);
  }

  private <T> T get(String path, Class<T> type) {
    return transport.send(new Transport.Call("GET", path, null, token, null, consistency), type);
  }

  private <T> T post(String path, Object body, String idempotencyKey, Class<T> type) {
    return transport.send(
        new Transport.Call("POST", path, body, token, idempotencyKey, consistency), type);
  }

  private static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  private static String page(Integer limit, String cursor) {
    StringBuilder query = new StringBuilder();
    if (limit != null) {
      query.append("limit=").append(limit);
    }
    if (cursor != null) {
      query.append(query.isEmpty() ? "" : "&").append("cursor=").append(segment(cursor));
    }
    return query.isEmpty() ? "" : "?" + query;
  }

  /** How a client is made; every setting has a default. */
  public static final class Builder {
    private final URI base;
    private HttpClient http;
    private ObjectMapper json = defaultJson();
    private RetryPolicy retries = RetryPolicy.DEFAULT;
    private Duration timeout = Duration.ofSeconds(30);
    private Transport.Sleeper sleeper = d -> Thread.sleep(d.toMillis());
    private Supplier<String> idempotencyKeys = () -> UUID.randomUUID().toString();

    private Builder(URI base) {
      this.base = base;
    }

    public Builder retryPolicy(RetryPolicy retries) {
      this.retries = retries;
      return this;
    }

    /** How long one attempt may take, answer included. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    public Builder sleeper(Transport.Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /** Where money POSTs' keys come from when the caller gives none (random UUIDs). */
    public Builder idempotencyKeys(Supplier<String> keys) {
      this.idempotencyKeys = keys;
      return this;
    }

    /** A client with no token: sign up and log in with it. */
    public CofferClient build() {
      if (http == null) {
        // The service speaks HTTP/1.1 (h2c only when turned on): no upgrade attempt on each
        // connection.
        http =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
      }
      return new CofferClient(this, null);
    }

    private static ObjectMapper defaultJson() {
      return new ObjectMapper()
          .findAndRegisterModules()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);
    }
  }
}
