package dev.coffer.gatling;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The users the setup phase signed up, for the load phase to act as. Gatling scenarios share no
 * session, so this is how the load phase learns the tokens and accounts the setup made.
 */
public final class UserPool {
  /** A signed-up, logged-in user with one funded account. */
  public record Member(String email, String token, String accountId) {}

  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final AtomicLong handedOut = new AtomicLong();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  public void add(Member member) {
    members.add(member);
  }

  public int size() {
    return members.size();
  }

  /** Fresh e-mail addresses for the sign-up feeder, unique across runs against one database. */
  public Iterator<Map<String, Object>> signUpFeeder(String prefix) {
    AtomicLong next = new AtomicLong();
    return Stream.generate(
            () ->
                Map.<String, Object>of(
                    "email",
                    "%s-%s-%d@load.example.com".formatted(prefix, runId, next.incrementAndGet()),
                    "password",
                    "load-test-password"))
        .iterator();
  }

  /**
   * Feeds {@code token}, {@code accountId} and a {@code peerAccountId} (another member's account,
   * for payments) of a random member; read when a virtual user starts, after the setup phase.
   */
  public Iterator<Map<String, Object>> randomMemberFeeder() {
    return Stream.generate(
            () -> {
              Member member = random();
              Member peer = randomOther(member);
              return Map.<String, Object>of(
                  "token", member.token(),
                  "accountId", member.accountId(),
                  "peerAccountId", peer.accountId());
            })
        .iterator();
  }

  /** Feeds each member once, in sign-up order, then starts over. */
  public Iterator<Map<String, Object>> eachMemberFeeder() {
    return Stream.generate(
            () -> {
              Member member = members().get((int) (handedOut.getAndIncrement() % size()));
              return Map.<String, Object>of(
                  "token", member.token(), "accountId", member.accountId());
            })
        .iterator();
  }

  /**
   * Feeds each member in turn with a counter of its own, so that n x members visits reach every
   * member exactly n times (payers of dashboards: each account must see its entries).
   */
  public Iterator<Map<String, Object>> roundRobinFeeder() {
    java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
    return Stream.generate(
            () -> {
              Member member = members().get((int) (next.getAndIncrement() % size()));
              return Map.<String, Object>of(
                  "token", member.token(), "accountId", member.accountId());
            })
        .iterator();
  }

  /** The first member to finish the setup. */
  public Member first() {
    return members().get(0);
  }

  private List<Member> members() {
    if (members.isEmpty()) {
      throw new IllegalStateException(
          "no user finished the setup phase (sign-up, log-in, account, deposit): see its errors");
    }
    return members;
  }

  private Member random() {
    List<Member> all = members();
    return all.get(ThreadLocalRandom.current().nextInt(all.size()));
  }

  private Member randomOther(Member member) {
    List<Member> all = members();
    if (all.size() < 2) {
      throw new IllegalStateException(
          "payments need two users at least; run with -Dusers=2 or more");
    }
    Member peer;
    do {
      peer = all.get(ThreadLocalRandom.current().nextInt(all.size()));
    } while (peer == member);
    return peer;
  }
}
