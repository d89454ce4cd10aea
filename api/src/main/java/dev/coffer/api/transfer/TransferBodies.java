package dev.coffer.api.transfer;

import dev.coffer.api.http.Problem;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.ledger.LedgerException;
import dev.coffer.ledger.transfer.Metadata;
import dev.coffer.ledger.transfer.Reversal;
import dev.coffer.ledger.transfer.Settle;
import dev.coffer.ledger.transfer.TransferRequest;
import dev.coffer.ledger.transfer.TransferStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Request bodies of the money-moving operations, read into the ledger's requests. */
public final class TransferBodies {
  static final long DEFAULT_PENDING_SECONDS = 86_400;
  private static final long ABSENT = -1;

  private TransferBodies() {}

  static TransferRequest deposit(JsonObject body, MoveTerms terms) {
    return TransferRequest.deposit(
            RequestBodies.uuid(body, "accountId"),
            RequestBodies.integer(body, "amount", 0),
            body.getString("description"))
        .withMetadata(metadata(body))
        .withTerms(terms.of(body));
  }

  static TransferRequest withdrawal(JsonObject body, MoveTerms terms) {
    return TransferRequest.withdrawal(
            RequestBodies.uuid(body, "accountId"),
            MoveTerms.amount(body),
            body.getString("description"))
        .withMetadata(metadata(body))
        .withTerms(terms.of(body));
  }

  static Reversal reversal(UUID original, JsonObject body) {
    long amount = RequestBodies.integer(body, "amount", ABSENT);
    return new Reversal(
        original, amount == ABSENT ? null : amount, body.getString("description"), metadata(body));
  }

  // A capture's amount and finality (the schema has checked their types).
  static Settle settle(UUID transferId, TransferStatus outcome, JsonObject body) {
    if (outcome == TransferStatus.VOIDED) {
      return Settle.whole(transferId, outcome); // its operation takes no body
    }
    long amount = RequestBodies.integer(body, "amount", ABSENT);
    return new Settle(
        transferId,
        outcome,
        amount == ABSENT ? null : amount,
        body.getBoolean("final", Boolean.TRUE));
  }

  // The schema has checked the shape (string values, at most 16 keys); bytes are checked here.
  public static Map<String, String> metadata(JsonObject body) {
    JsonObject json = body.getJsonObject("metadata");
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    json.forEach(
        e -> {
          if (!(e.getValue() instanceof String value)
              || !Metadata.fits(e.getKey())
              || !Metadata.fits(value)) {
            throw RequestBodies.invalid(
                "metadata",
                "holds string values; each key and value at most "
                    + Metadata.MAX_BYTES
                    + " bytes of UTF-8");
          }
          metadata.put(e.getKey(), value);
        });
    return metadata;
  }

  static TransferRequest transfer(JsonObject body, MoveTerms terms) {
    return plainTransfer(body).withMetadata(metadata(body)).withTerms(terms.of(body));
  }

  private static TransferRequest plainTransfer(JsonObject body) {
    boolean pending = Boolean.TRUE.equals(body.getBoolean("pending"));
    long amount = MoveTerms.amount(body);
    long expiresIn = RequestBodies.integer(body, "expiresInSeconds", ABSENT);
    if (!pending && expiresIn != ABSENT) {
      throw RequestBodies.invalid(
          "expiresInSeconds", "applies to pending transfers only (send \"pending\": true)");
    }
    if (pending) {
      return TransferRequest.pending(
          RequestBodies.uuid(body, "fromAccountId"),
          RequestBodies.uuid(body, "toAccountId"),
          amount,
          body.getString("description"),
          Duration.ofSeconds(expiresIn == ABSENT ? DEFAULT_PENDING_SECONDS : expiresIn));
    }
    return TransferRequest.transfer(
        RequestBodies.uuid(body, "fromAccountId"),
        RequestBodies.uuid(body, "toAccountId"),
        amount,
        body.getString("description"));
  }

  /** Every item of a batch; a bad item fails the whole batch, naming its index. */
  static List<TransferRequest> batch(JsonObject body, MoveTerms terms) {
    JsonArray items = body.getJsonArray("transfers");
    List<TransferRequest> requests = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      try {
        requests.add(transfer(items.getJsonObject(i), terms));
      } catch (ProblemException e) {
        throw inBatch(i, e.problem());
      } catch (LedgerException e) {
        throw inBatch(i, Problem.of(e));
      }
    }
    return requests;
  }

  private static ProblemException inBatch(int index, Problem item) {
    return new ProblemException(BatchItemProblem.of(index, item));
  }
}
