package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A 500's log line names the request (its id, route) and carries the exception. */
class FailureLogTest {
  @Test
  void anUnexpectedFailureIsLoggedWithItsRequestIdAndException() throws Exception {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger log = Logger.getLogger(ProblemResponder.class.getName());
    log.addHandler(capture);
    Vertx vertx = Vertx.vertx();
    try {
      IllegalStateException failure = new IllegalStateException("kaboom");
      Router router = Router.router(vertx);
      router
          .get("/boom")
          .handler(
              ctx -> {
                ctx.response().putHeader("X-Request-Id", "rid-7");
                ctx.fail(failure);
              });
      router.route().failureHandler(new ProblemResponder(path -> null));
      HttpServer server =
          vertx.createHttpServer().requestHandler(router).listen(0).await(10, TimeUnit.SECONDS);
      int status =
          vertx
              .createHttpClient()
              .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/boom")
              .compose(request -> request.send())
              .map(response -> response.statusCode())
              .await(10, TimeUnit.SECONDS);
      assertThat(status).isEqualTo(500);
      LogRecord line =
          records.stream()
              .filter(r -> "request failed".equals(r.getMessage()))
              .findFirst()
              .orElseThrow();
      assertThat(line.getThrown()).isSameAs(failure);
      Map<?, ?> fields = (Map<?, ?>) line.getParameters()[0];
      assertThat(fields.get("requestId")).isEqualTo("rid-7");
      assertThat(fields.get("method")).isEqualTo("GET");
      assertThat(fields.get("route")).isEqualTo("/boom");
      assertThat(fields.get("status")).isEqualTo(500);
    } finally {
      log.removeHandler(capture);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
