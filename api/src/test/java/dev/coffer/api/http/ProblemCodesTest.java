package dev.coffer.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coffer.ledger.LedgerError;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.ReversalRefusal;
import dev.coffer.ledger.SettleRefusal;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.impl.Utils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ledger's codes, the API's table of statuses and the contract's list are one vocabulary. */
class ProblemCodesTest {

  @Test
  void everyLedgerErrorHasAStatusThatIsNot500() {
    for (LedgerError error : LedgerError.values()) {
      assertThat(Problem.isKnown(error.code())).as(error.code()).isTrue();
      assertThat(Problem.of(error.code(), null).status()).as(error.code()).isBetween(400, 499);
    }
  }

  @Test
  void theContractListsExactlyTheCodesTheApiAnswersWith() throws Exception {
    JsonObject problem = problemSchema();
    Set<String> documented =
        new HashSet<>(
            problem
                .getJsonObject("properties")
                .getJsonObject("code")
                .getJsonArray("examples")
                .getList());
    assertThat(documented).isEqualTo(Problem.codes());
  }

  @Test
  void theContractListsEverySettleAndReversalRefusalAsAReason() throws Exception {
    Set<String> documented =
        new HashSet<>(
            problemSchema()
                .getJsonObject("properties")
                .getJsonObject("reason")
                .getJsonArray("enum")
                .getList());
    Set<String> refusals = new HashSet<>();
    Arrays.stream(SettleRefusal.values()).map(SettleRefusal::code).forEach(refusals::add);
    Arrays.stream(ReversalRefusal.values()).map(ReversalRefusal::code).forEach(refusals::add);
    assertThat(documented).isEqualTo(refusals);
  }

  @Test
  void aRefusedSettleAnswersItsFamilyAndItsReason() {
    Problem problem =
        Problem.of(
            new LedgerException(
                LedgerError.TRANSFER_NOT_PENDING, SettleRefusal.ALREADY_VOIDED, "voided"));
    assertThat(problem.status()).isEqualTo(409);
    assertThat(problem.code()).isEqualTo("transfer-not-pending");
    JsonObject body = problem.toBuffer().toJsonObject();
    assertThat(body.getString("reason")).isEqualTo("already-voided");
    assertThat(Problem.of("not-found", null).toBuffer().toJsonObject().containsKey("reason"))
        .isFalse();
  }

  private static JsonObject problemSchema() throws Exception {
    try (InputStream in = ProblemCodesTest.class.getResourceAsStream("/openapi.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Utils.yamlStringToJson(yaml)
          .await(10, TimeUnit.SECONDS)
          .getJsonObject("components")
          .getJsonObject("schemas")
          .getJsonObject("Problem");
    }
  }
}
