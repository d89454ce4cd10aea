package dev.coffer.api.user;

import dev.coffer.api.http.ApiJson;
import dev.coffer.api.http.JsonResponses;
import dev.coffer.api.http.OperationHandlers;
import dev.coffer.api.http.ProblemException;
import dev.coffer.api.http.RequestBodies;
import dev.coffer.api.http.RequestState;
import dev.coffer.api.session.Session;
import dev.coffer.api.session.SessionAuthentication;
import dev.coffer.api.session.SessionStore;
import dev.coffer.api.session.WriteReceipts;
import dev.coffer.ledger.user.UserStore;
import dev.coffer.ledger.user.UserStore.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Sign-up, log-in and log-out. */
public final class UserRoutes {
  private static final Logger LOG = Logger.getLogger(UserRoutes.class.getName());

  private final UserStore users;
  private final PasswordHasher passwords;
  private final SessionStore sessions;
  private final WriteReceipts receipts;
  private final Consumer<Session> sessionEnded;
  private final LoginThrottle throttle;

  /** {@code sessionEnded} is told of each log-out (the streams opened with it close). */
  public UserRoutes(
      UserStore users,
      PasswordHasher passwords,
      SessionStore sessions,
      WriteReceipts receipts,
      Consumer<Session> sessionEnded,
      LoginThrottle throttle) {
    this.users = users;
    this.passwords = passwords;
    this.sessions = sessions;
    this.receipts = receipts;
    this.sessionEnded = sessionEnded;
    this.throttle = throttle;
  }

  /** Registers this feature's operations. */
  public void addTo(OperationHandlers handlers) {
    handlers
        .on("createUser", this::register)
        .on("createSession", this::logIn)
        .on("deleteSession", this::logOut);
  }

  private Future<?> register(RoutingContext ctx) {
    JsonObject body = RequestBodies.json(ctx);
    String email = body.getString("email");
    return passwords
        .hash(body.getString("password"))
        .compose(hash -> users.create(email, hash))
        .compose(
            committed ->
                receipts.send(
                    ctx, committed.token(), 201, user(committed.value()).toBuffer(), false));
  }

  private static JsonObject user(User user) {
    return new JsonObject()
        .put("id", ApiJson.id(user.id()))
        .put("email", user.email())
        .put("createdAt", ApiJson.time(user.createdAt()));
  }

  private Future<?> logIn(RoutingContext ctx) {
    JsonObject body = RequestBodies.json(ctx);
    String email = body.getString("email");
    String address = RequestState.of(ctx).clientIp();
    return throttle
        .waitSeconds(email, address)
        .recover(
            e ->
                Future.failedFuture(
                    ProblemException.of(
                        "service-unavailable", "log-in limits cannot be checked; retry")))
        .compose(
            wait -> {
              if (wait > 0) {
                ctx.response().putHeader("Retry-After", Long.toString(wait));
                return Future.failedFuture(
                    ProblemException.of(
                        "rate-limited",
                        "too many failed log-ins for this e-mail address; retry in "
                            + wait
                            + " s"));
              }
              return verify(ctx, email, body.getString("password"), address);
            });
  }

  private Future<?> verify(RoutingContext ctx, String email, String password, String address) {
    return users
        .findByEmail(email)
        .compose(
            found ->
                // Unknown e-mail and wrong password take the same path and the same time.
                passwords
                    .verify(password, found.map(User::passwordHash).orElse(null))
                    .compose(
                        ok -> {
                          if (!ok) {
                            return throttle
                                .failed(email, address)
                                .compose(
                                    v ->
                                        Future.failedFuture(
                                            ProblemException.of(
                                                "invalid-credentials",
                                                "wrong e-mail or password")));
                          }
                          return throttle
                              .succeeded(email, address)
                              .compose(v -> startSession(ctx, found.orElseThrow()));
                        }));
  }

  private Future<?> startSession(RoutingContext ctx, User user) {
    OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(sessions.ttl());
    return sessions
        .create(user.id())
        .recover(
            e -> {
              LOG.log(Level.WARNING, "session store unavailable: " + e.getMessage());
              return Future.failedFuture(
                  ProblemException.of(
                      "service-unavailable", "sessions cannot be created right now; retry"));
            })
        .compose(
            token ->
                JsonResponses.send(
                    ctx,
                    201,
                    new JsonObject()
                        .put("token", token)
                        .put("userId", ApiJson.id(user.id()))
                        .put("expiresAt", ApiJson.time(expires))));
  }

  private Future<?> logOut(RoutingContext ctx) {
    Session session = SessionAuthentication.of(ctx);
    return sessions
        .delete(session)
        .onSuccess(v -> sessionEnded.accept(session))
        .recover(
            e ->
                Future.failedFuture(
                    ProblemException.of(
                        "service-unavailable", "the session could not be ended right now; retry")))
        .compose(v -> JsonResponses.noContent(ctx));
  }
}
