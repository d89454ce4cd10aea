package dev.coffer.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Reads a request body once, token by token, for what a lenient parser lets through but the API
 * must not: a key given twice in one object (which one counts would depend on the parser, and a
 * proxy or an audit log may read the other) and a lone UTF-16 surrogate escape ({@code "\ud800"}),
 * which is no Unicode character and cannot be stored as text.
 */
final class StrictJson {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private StrictJson() {}

  /** What is wrong with {@code body}, or null when it is strict JSON. */
  static Problem check(Buffer body) {
    try (JsonParser parser = FACTORY.createParser(body.getBytes())) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if ((token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME)
            && hasLoneSurrogate(parser.getText())) {
          return Problem.of(
              "malformed-json", "the body holds a lone UTF-16 surrogate, which is not a character");
        }
      }
      return null;
    } catch (JsonProcessingException e) {
      String message = String.valueOf(e.getOriginalMessage());
      return Problem.of(
          "malformed-json",
          message.startsWith("Duplicate field")
              ? "the body names a field twice in one object"
              : "the request body is not valid JSON");
    } catch (IOException e) {
      return Problem.of("malformed-json", "the request body is not valid JSON");
    }
  }

  static boolean hasLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
