package dev.coffer.ledger.db;

import java.util.Locale;

/**
 * Which server of a multi-host URI a connection wants, in libpq's words ({@code
 * target_session_attrs}): the writable primary, a standby, or whichever answers first.
 */
public enum TargetSession {
  /** Any server that answers (with several hosts, each is still asked whether it answers). */
  ANY("any"),
  /** A server that accepts writes (not in recovery, not read-only by default). */
  READ_WRITE("read-write"),
  /** A server that does not accept writes (a standby, or read-only by default). */
  READ_ONLY("read-only"),
  /** A server not in recovery. */
  PRIMARY("primary"),
  /** A server in recovery; none found is a failure. */
  STANDBY("standby"),
  /** A server in recovery when one answers, else any that does. */
  PREFER_STANDBY("prefer-standby");

  private final String spelling;

  TargetSession(String spelling) {
    this.spelling = spelling;
  }

  /** The value as libpq spells it. */
  public String spelling() {
    return spelling;
  }

  /** Parses libpq's spelling. */
  public static TargetSession parse(String value) {
    for (TargetSession target : values()) {
      if (target.spelling.equals(value.toLowerCase(Locale.ROOT))) {
        return target;
      }
    }
    throw new IllegalArgumentException(
        "target_session_attrs must be one of any, read-write, read-only, primary, standby,"
            + " prefer-standby; got "
            + value);
  }

  /** Whether a server in this role fits (for {@link #PREFER_STANDBY}: fits at first choice). */
  boolean fits(ServerRole role) {
    return switch (this) {
      case ANY -> true;
      case READ_WRITE -> !role.inRecovery() && !role.readOnly();
      case READ_ONLY -> role.inRecovery() || role.readOnly();
      case PRIMARY -> !role.inRecovery();
      case STANDBY, PREFER_STANDBY -> role.inRecovery();
    };
  }

  /** What the server is called in "no ... among", when none is found. */
  String describe() {
    return switch (this) {
      case ANY -> "server";
      case READ_WRITE -> "writable primary";
      case READ_ONLY -> "read-only server";
      case PRIMARY -> "primary";
      case STANDBY, PREFER_STANDBY -> "standby";
    };
  }

  /** What one server was found to be. */
  record ServerRole(boolean inRecovery, boolean readOnly) {}
}
