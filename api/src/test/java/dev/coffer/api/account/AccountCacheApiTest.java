package dev.coffer.api.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.TestRedis;
import dev.coffer.ledger.db.ConsistencyToken;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The account cache, when on, never serves a session something older than its own writes. */
class AccountCacheApiTest {
  private static ApiInstance instance;
  private static ApiClient api;
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    instance = ApiInstance.start(Map.of("COFFER_CACHE_ACCOUNTS", "true"));
    api = instance.client().withoutTokenPropagation();
    vertx = Vertx.vertx();
    redis = TestRedis.cluster(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    instance.close();
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aReadFillsTheCacheAndAWriteEmptiesIt() throws Exception {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    assertThat(api.account(caller, account).getLong("balance")).isZero();
    assertThat(cached(account)).isNotNull().contains(caller.id());
    api.deposit(caller, account, 500);
    assertThat(cached(account)).isNull();
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(500);
  }

  @Test
  void anEntryOlderThanTheSessionsLastWriteIsNeverServed() throws Exception {
    Caller caller = api.newCaller();
    String account = api.openAccount(caller, "EUR");
    api.deposit(caller, account, 700);
    JsonObject forged = api.account(caller, account).copy().put("balance", 1);
    // An entry only known to be fresh as of the beginning of time, as a racing read could leave.
    put(account, ConsistencyToken.NONE + "|" + caller.id() + "|" + forged.encode());
    assertThat(api.account(caller, account).getLong("balance")).isEqualTo(700);

    // A session that has written nothing requires nothing, so it may be served the entry: which
    // shows the cache is in use, and why the token check matters.
    String fresh = api.logIn(caller.email(), caller.password());
    put(account, ConsistencyToken.NONE + "|" + caller.id() + "|" + forged.encode());
    assertThat(api.get("/v1/accounts/" + account, fresh).json().getLong("balance")).isEqualTo(1);

    // Nor is an entry served to anyone but the account's owner.
    Caller stranger = api.newCaller();
    assertThat(api.get("/v1/accounts/" + account, stranger.token()).status()).isEqualTo(404);
  }

  private static String cached(String account) throws Exception {
    Response value =
        redis
            .send(Request.cmd(Command.GET).arg(AccountCache.key(UUID.fromString(account))))
            .await(5, TimeUnit.SECONDS);
    return value == null ? null : value.toString();
  }

  private static void put(String account, String value) throws Exception {
    redis
        .send(
            Request.cmd(Command.SET)
                .arg(AccountCache.key(UUID.fromString(account)))
                .arg(value)
                .arg("PX")
                .arg(60_000))
        .await(5, TimeUnit.SECONDS);
  }
}
