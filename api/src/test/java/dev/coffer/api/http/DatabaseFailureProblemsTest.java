package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/**
 * What a request learns when the primary is away (seen by the chaos test while the primary
 * restarted): nothing ran is 503, to retry; a connection lost mid-request, whose outcome is
 * unknown, stays 500.
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
  void aConnectionLostMidRequestStays500() {
    assertThat(ProblemResponder.problemFor(ClosedConnectionException.INSTANCE, 500).status())
        .isEqualTo(500);
    assertThat(
            ProblemResponder.problemFor(
                    new PgException("duplicate key", "ERROR", "23505", null), 500)
                .status())
        .isEqualTo(500);
  }
}
