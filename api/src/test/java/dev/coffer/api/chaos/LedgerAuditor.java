package dev.coffer.api.chaos;

import dev.coffer.api.chaos.LedgerSnapshot.StoredKey;
import dev.coffer.api.chaos.LedgerSnapshot.StoredTransfer;
import dev.coffer.api.chaos.Operation.Kind;
import dev.coffer.api.chaos.Operation.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Holds the ledger to what the clients saw. Each finding names a broken promise: an operation
 * without a definitive answer, an acknowledged transfer missing or different in the ledger, a
 * transfer in the ledger no client saw acknowledged (a duplicate), an idempotency key that does not
 * name its one transfer, an account whose balance is not its deposits plus and minus its
 * acknowledged transfers, money not conserved, or the ledger's own SQL invariants.
 */
final class LedgerAuditor {
  private static final int SHOWN = 5;

  private LedgerAuditor() {}

  /** The findings; none means the run passed. {@code accounts}: the run's accounts. */
  static List<String> audit(History history, LedgerSnapshot ledger, Set<UUID> accounts) {
    List<String> findings = new ArrayList<>();
    List<Operation> operations = history.operations();
    Findings undetermined = new Findings("operations without a definitive answer");
    Findings unexpected = new Findings("unexpected answers");
    Map<UUID, Operation> acknowledged = new HashMap<>();
    Findings sameId = new Findings("transfer ids acknowledged to two operations");
    Map<String, List<Operation>> byKey = new HashMap<>();
    for (Operation op : operations) {
      byKey.computeIfAbsent(op.user() + " " + op.key(), k -> new ArrayList<>()).add(op);
      switch (op.outcome()) {
        case UNDETERMINED -> undetermined.add(op.key());
        case UNEXPECTED -> unexpected.add(op.key() + ": " + op.detail());
        case ACKNOWLEDGED -> {
          if (acknowledged.put(op.transferId(), op) != null) {
            sameId.add(op.transferId().toString());
          }
        }
        case REFUSED -> {}
      }
    }
    undetermined.report(findings);
    unexpected.report(findings);
    sameId.report(findings);
    Findings anomalies = new Findings("client-side anomalies");
    history.anomalies().forEach(anomalies::add);
    anomalies.report(findings);

    // Every acknowledged transfer exactly once, as asked; nothing else on the run's accounts.
    Map<UUID, StoredTransfer> stored = new HashMap<>();
    Findings storedTwice = new Findings("transfer ids stored twice");
    for (StoredTransfer t : ledger.transfers()) {
      if (stored.put(t.id(), t) != null) {
        storedTwice.add(t.id().toString());
      }
    }
    storedTwice.report(findings);
    Findings lost = new Findings("acknowledged transfers missing from the ledger");
    Findings different = new Findings("acknowledged transfers stored differently");
    for (Operation op : acknowledged.values()) {
      StoredTransfer t = stored.get(op.transferId());
      if (t == null) {
        lost.add(op.transferId() + " (key " + op.key() + ")");
      } else if (!matches(op, t)) {
        different.add(op.transferId() + ": asked " + op + ", stored " + t);
      }
    }
    lost.report(findings);
    different.report(findings);
    Findings unacknowledged =
        new Findings("transfers in the ledger that no client saw acknowledged (duplicates)");
    for (StoredTransfer t : stored.values()) {
      if (!acknowledged.containsKey(t.id())) {
        unacknowledged.add(t.toString());
      }
    }
    unacknowledged.report(findings);

    // Each key of an acknowledged operation names its transfer; no key names another.
    Findings keyMismatch = new Findings("idempotency keys that do not name their one transfer");
    Set<String> keysSeen = new HashSet<>();
    Map<UUID, String> keyOfTransfer = new HashMap<>();
    for (StoredKey k : ledger.keys()) {
      String name = k.user() + " " + k.key();
      keysSeen.add(name);
      List<Operation> ops = byKey.get(name);
      if (ops == null || ops.get(0).outcome() != Outcome.ACKNOWLEDGED) {
        keyMismatch.add(
            k.key() + " stored for " + (ops == null ? "no operation" : ops.get(0).outcome()));
      } else {
        List<UUID> ids = ops.stream().map(Operation::transferId).toList();
        if (!ids.equals(k.transferIds())) {
          keyMismatch.add(k.key() + " names " + k.transferIds() + ", acknowledged " + ids);
        }
      }
      for (UUID id : k.transferIds()) {
        String other = keyOfTransfer.put(id, k.key());
        if (other != null) {
          keyMismatch.add("transfer " + id + " named by keys " + other + " and " + k.key());
        }
      }
    }
    for (Operation op : acknowledged.values()) {
      if (!keysSeen.contains(op.user() + " " + op.key())) {
        keyMismatch.add(op.key() + " acknowledged but not stored");
      }
    }
    keyMismatch.report(findings);

    // Balances: deposits plus and minus acknowledged transfers, exactly.
    Map<UUID, Long> expected = new HashMap<>();
    accounts.forEach(a -> expected.put(a, 0L));
    long deposited = 0;
    for (Operation op : acknowledged.values()) {
      expected.merge(op.to(), op.amount(), Long::sum);
      if (op.kind() == Kind.DEPOSIT) {
        deposited += op.amount();
      } else {
        expected.merge(op.from(), -op.amount(), Long::sum);
      }
    }
    Findings balances = new Findings("balances that are not what the clients saw acknowledged");
    long total = 0;
    for (UUID account : accounts) {
      long actual = ledger.balances().getOrDefault(account, Long.MIN_VALUE);
      total += ledger.balances().getOrDefault(account, 0L);
      if (actual != expected.get(account)) {
        balances.add(account + ": expected " + expected.get(account) + ", ledger " + actual);
      }
    }
    balances.report(findings);
    if (total != deposited) {
      findings.add(
          "money not conserved: the run's accounts hold "
              + total
              + ", acknowledged deposits were "
              + deposited);
    }
    if (ledger.invariantsBroken() != null) {
      findings.add(ledger.invariantsBroken());
    }
    return findings;
  }

  private static boolean matches(Operation op, StoredTransfer t) {
    boolean sides =
        op.kind() == Kind.DEPOSIT
            ? t.kind().equals("deposit") && t.to().equals(op.to())
            : t.kind().equals("transfer") && t.from().equals(op.from()) && t.to().equals(op.to());
    return sides && t.amount() == op.amount() && t.status().equals("posted");
  }

  /** A kind of finding: how many, and the first few. */
  private static final class Findings {
    private final String what;
    private final List<String> shown = new ArrayList<>();
    private long count;

    Findings(String what) {
      this.what = what;
    }

    void add(String example) {
      if (count++ < SHOWN) {
        shown.add(example);
      }
    }

    void report(List<String> findings) {
      if (count > 0) {
        findings.add(count + " " + what + ", e.g. " + shown);
      }
    }
  }
}
