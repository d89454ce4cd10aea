package dev.coffer.api.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** An HTTP response as a test sees it. */
public record Reply(int status, MultiMap headers, Buffer body) {

  public JsonObject json() {
    return body == null || body.length() == 0 ? new JsonObject() : body.toJsonObject();
  }

  /** The problem's {@code code}, or null when the body is not a problem. */
  public String code() {
    return json().getString("code");
  }

  public String header(String name) {
    return headers.get(name);
  }

  public String text() {
    return body == null ? "" : body.toString();
  }

  @Override
  public String toString() {
    return status + " " + text();
  }
}
