package dev.coffer.api.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogHandlerTest {
  @Test
  void writesOneJsonObjectPerLineEvenForMultiLineErrors() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonLogHandler handler =
        new JsonLogHandler(new PrintStream(bytes, true, StandardCharsets.UTF_8), "coffer-1");
    LogRecord record = new LogRecord(Level.WARNING, "replica {0} is \"down\"\nretrying");
    record.setParameters(new Object[] {"db2"});
    record.setLoggerName("dev.coffer.Test");
    record.setThrown(new IllegalStateException("boom"));
    handler.publish(record);

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(lines[0]);
    assertThat(json.get("level").asText()).isEqualTo("WARNING");
    assertThat(json.get("message").asText()).isEqualTo("replica db2 is \"down\"\nretrying");
    assertThat(json.get("instance").asText()).isEqualTo("coffer-1");
    assertThat(json.get("logger").asText()).isEqualTo("dev.coffer.Test");
    assertThat(json.get("error").asText()).contains("boom");
    assertThat(json.get("errorClass").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(json.get("errorMessage").asText()).isEqualTo("boom");
    assertThat(json.get("stack").asText()).contains("JsonLogHandlerTest");
    assertThat(json.get("time").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
  }
}
