package dev.coffer.api.testing;

import dev.coffer.api.testing.ApiClient.Caller;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * A money POST that a 503 (Redis or the database busy on shared cores) did not do, tried again with
 * the same Idempotency-Key: a try that did get through is answered from its idempotency record, so
 * concurrency tests count each move once.
 */
public final class BusyRetry {
  private BusyRetry() {}

  public static Reply move(ApiClient client, String path, Caller caller, JsonObject body) {
    String key = UUID.randomUUID().toString();
    Reply reply = client.post(path, caller.token(), key, body);
    for (int attempt = 1; reply.status() == 503 && attempt < 10; attempt++) {
      try {
        Thread.sleep(100L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      reply = client.post(path, caller.token(), key, body);
    }
    return reply;
  }
}
