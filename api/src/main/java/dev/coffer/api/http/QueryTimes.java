package dev.coffer.api.http;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** RFC 3339 times in query strings. */
public final class QueryTimes {
  private QueryTimes() {}

  /**
   * The time {@code text} writes (with an offset), or 400 {@code invalid-parameter} naming {@code
   * name}. A '+' sent unencoded in a query string reads as a space; no RFC 3339 time holds one.
   */
  public static OffsetDateTime parse(String name, String text) {
    try {
      return OffsetDateTime.parse(text.replace(' ', '+'));
    } catch (DateTimeParseException e) {
      throw ProblemException.of(
          "invalid-parameter",
          name + " must be an RFC 3339 time with an offset, e.g. 2026-11-22T10:15:30.123Z");
    }
  }
}
