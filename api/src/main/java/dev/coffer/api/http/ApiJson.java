package dev.coffer.api.http;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** How the API writes times and ids: RFC 3339 in UTC with milliseconds, UUIDs as text. */
public final class ApiJson {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  private ApiJson() {}

  /** {@code 2026-11-22T10:15:30.123Z}, or null. */
  public static String time(OffsetDateTime time) {
    return time == null
        ? null
        : TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
  }

  /** The id as text, or null. */
  public static String id(UUID id) {
    return id == null ? null : id.toString();
  }
}
