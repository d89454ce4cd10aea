package dev.coffer.api.user;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt, salted per password, run on worker threads: each hash costs tens of milliseconds of CPU
 * on purpose, which must never stall an event loop.
 */
public final class PasswordHasher {
  private static final BCrypt.Version VERSION = BCrypt.Version.VERSION_2B;
  // bcrypt reads at most 72 bytes; longer passwords (the contract allows 128 characters) are
  // pre-hashed so that every character counts.
  private static final LongPasswordStrategy LONG = LongPasswordStrategies.hashSha512(VERSION);

  private final Vertx vertx;
  private final int cost;
  private final Future<String> decoy;

  public PasswordHasher(Vertx vertx, int cost) {
    this.vertx = vertx;
    this.cost = cost;
    // Checked against when the e-mail is unknown, so that a miss takes as long as a wrong password.
    this.decoy = hash("decoy password, never anyone's");
  }

  /** A new salted hash of {@code password}. */
  public Future<String> hash(String password) {
    return vertx.executeBlocking(
        () ->
            new String(
                BCrypt.with(VERSION, LONG).hash(cost, password.toCharArray()),
                StandardCharsets.US_ASCII),
        false);
  }

  /** Whether {@code password} matches {@code hash}; a null hash costs the same time and fails. */
  public Future<Boolean> verify(String password, String hash) {
    Future<String> against = hash == null ? decoy : Future.succeededFuture(hash);
    return against.compose(
        h ->
            vertx.executeBlocking(
                () ->
                    BCrypt.verifyer(VERSION, LONG).verify(password.toCharArray(), h).verified
                        && hash != null,
                false));
  }
}
