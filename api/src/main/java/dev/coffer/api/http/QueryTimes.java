package dev.coffer.api.http;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 times in query strings: the one parser of every route's time parameters ({@code at},
 * {@code from}, {@code to}), so that one spelling means the same everywhere.
 */
public final class QueryTimes {
  /** A half-open range [{@code from}, {@code to}); either bound may be null (none). */
  public record Range(OffsetDateTime from, OffsetDateTime to) {}

  private QueryTimes() {}

  /**
   * The time {@code text} writes (with an offset), or 400 {@code invalid-parameter} naming {@code
   * name}. A '+' sent unencoded in a query string reads as a space; no RFC 3339 time holds one.
   * Years are RFC 3339's four digits: what the database can hold, and what a ledger can contain.
   */
  public static OffsetDateTime parse(String name, String text) {
    try {
      OffsetDateTime time = OffsetDateTime.parse(text.replace(' ', '+'));
      if (time.getYear() >= 1 && time.getYear() <= 9999) {
        return time;
      }
    } catch (DateTimeParseException e) {
      // Answered below, like a year out of range.
    }
    throw ProblemException.of(
        "invalid-parameter",
        name + " must be an RFC 3339 time with an offset, e.g. 2026-11-22T10:15:30.123Z");
  }

  /**
   * The range {@code from} (inclusive) to {@code to} (exclusive), each null when absent; 400 {@code
   * invalid-parameter} when both are given and {@code from} is not before {@code to}: an empty or
   * reversed range is a client's mistake, answered the same on every route that takes one.
   */
  public static Range range(String fromText, String toText) {
    OffsetDateTime from = fromText == null ? null : parse("from", fromText);
    OffsetDateTime to = toText == null ? null : parse("to", toText);
    if (from != null && to != null && !from.isBefore(to)) {
      throw ProblemException.of("invalid-parameter", "from must be before to");
    }
    return new Range(from, to);
  }
}
