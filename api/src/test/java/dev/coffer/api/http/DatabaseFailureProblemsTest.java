package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a request learns when the primary is away (seen by the chaos test while the primary
 * restarted): nothing ran is 503, to retry; a connection lost mid-request is 503 too, its detail
 * saying the outcome is unknown; a database error that is no outage stays 500.
 */
class DatabaseFailureProblemsTest {

  @Test
  void aRefusedConnectionIs503() {
    Problem problem = ProblemResponder.problemFor(new ConnectException("Connection refused"), 500);
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.code()).isEqualTo("service-unavailable");
  }

  @Test
  void aServerStartingUpIs503() {
    Problem problem =
        ProblemResponder.problemFor(
            new PgException("the database system is starting up", "FATAL", "57P03", null), 500);
    assertThat(problem.status()).isEqualTo(503);
  }

  @Test
  void aConnectionThatDidNotFreeUpInTimeIs503Overloaded() {
    Problem problem = ProblemResponder.problemFor(new NoStackTraceThrowable("Timeout"), 500);
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.code()).isEqualTo("overloaded");
  }

  @Test
  void aDependencyTimeoutIs503WhereverItCameFromAndHoweverItWasWrapped() throws Exception {
    // Issue 27, finding 10: under heavy load a dependency's timeout was answered 500.
    Vertx vertx = Vertx.vertx();
    try {
      Throwable timedOut =
          io.vertx.core.Promise.<Void>promise()
              .future()
              .timeout(1, TimeUnit.MILLISECONDS)
              .transform(ar -> Future.succeededFuture(ar.cause()))
              .await(5, TimeUnit.SECONDS);
      for (Throwable timeout :
          List.of(
              timedOut,
              new java.util.concurrent.TimeoutException("no answer within 2000 ms"),
              new IllegalStateException("wrapped", new NoStackTraceThrowable("Timeout")),
              new IllegalStateException("wrapped", timedOut),
              new RuntimeException("wrapped", ClosedConnectionException.INSTANCE))) {
        Problem problem = ProblemResponder.problemFor(timeout, 500);
        assertThat(problem.status()).as(timeout.toString()).isEqualTo(503);
      }
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aConnectionLostMidRequestIs503WithTheOutcomeUnknown() {
    for (Throwable lost :
        List.of(
            ClosedConnectionException.INSTANCE,
            new SocketException("Connection reset"),
            new IOException("Broken pipe"),
            new VertxException("Connection is not active now, current status: CLOSED"))) {
      Problem problem = ProblemResponder.problemFor(lost, 500);
      assertThat(problem.status()).as(lost.toString()).isEqualTo(503);
      assertThat(problem.code()).isEqualTo("service-unavailable");
      assertThat(problem.detail()).contains("unknown", "Idempotency-Key");
    }
  }

  @Test
  void aDatabaseErrorThatIsNoOutageStays500() {
    assertThat(ProblemResponder.problemFor(new VertxException("something else"), 500).status())
        .isEqualTo(500);
    assertThat(
            ProblemResponder.problemFor(
                    new PgException("duplicate key", "ERROR", "23505", null), 500)
                .status())
        .isEqualTo(500);
  }
}
