package dev.coffer.api.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.coffer.api.tracing.Tracing;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Writes every java.util.logging record to stdout as one JSON object per line. */
public final class JsonLogHandler extends Handler {
  // Enough for a few seconds of request lines at full speed while stdout is slow.
  private static final int QUEUED_LINES = 65_536;
  private static final JsonFactory JSON = new JsonFactory();
  private final Consumer<String> out;
  private final Runnable flush;
  private final String instance;

  JsonLogHandler(PrintStream out, String instance) {
    this(out::println, out::flush, instance);
  }

  private JsonLogHandler(Consumer<String> out, Runnable flush, String instance) {
    this.out = out;
    this.flush = flush;
    this.instance = instance;
  }

  /**
   * Makes this the only handler of the root logger, writing to stdout through a background writer,
   * and returns that writer (its meter counts dropped lines). Vert.x, Netty, Liquibase and the JDBC
   * driver all log through java.util.logging when no other backend is on the class path.
   */
  public static LogLines install(String instance, Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    LogLines lines =
        new LogLines(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            QUEUED_LINES);
    root.addHandler(new JsonLogHandler(lines::write, () -> {}, instance));
    // After the log manager's own hook has closed the handlers: whatever is still queued.
    Runtime.getRuntime().addShutdownHook(new Thread(lines::close, "coffer-log-flush"));
    return lines;
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    out.accept(format(record));
  }

  String format(LogRecord record) {
    StringWriter buffer = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(buffer)) {
      json.writeStartObject();
      json.writeStringField("time", Instant.ofEpochMilli(record.getMillis()).toString());
      json.writeStringField("level", record.getLevel().getName());
      json.writeStringField("logger", record.getLoggerName());
      Map<?, ?> fields = fields(record);
      json.writeStringField("message", fields == null ? message(record) : record.getMessage());
      json.writeStringField("instance", instance);
      json.writeStringField("thread", Thread.currentThread().getName());
      if (fields != null) {
        for (Map.Entry<?, ?> field : fields.entrySet()) {
          writeField(json, String.valueOf(field.getKey()), field.getValue());
        }
      }
      // Written on the logging thread: a line logged while serving a request names its trace.
      if (fields == null || !fields.containsKey("traceId")) {
        String traceId = Tracing.currentTraceId();
        if (traceId != null) {
          json.writeStringField("traceId", traceId);
        }
      }
      Throwable thrown = record.getThrown();
      if (thrown != null) {
        json.writeStringField("error", thrown.toString());
        json.writeStringField("errorClass", thrown.getClass().getName());
        json.writeStringField("errorMessage", thrown.getMessage());
        json.writeStringField("stack", stackTrace(thrown));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toString();
  }

  // A record whose only parameter is a map is structured: its entries become fields of the line.
  private static Map<?, ?> fields(LogRecord record) {
    Object[] params = record.getParameters();
    return params != null && params.length == 1 && params[0] instanceof Map<?, ?> map ? map : null;
  }

  private static void writeField(JsonGenerator json, String name, Object value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else if (value instanceof Integer || value instanceof Long) {
      json.writeNumberField(name, ((Number) value).longValue());
    } else if (value instanceof Number number) {
      json.writeNumberField(name, number.doubleValue());
    } else if (value instanceof Boolean bool) {
      json.writeBooleanField(name, bool);
    } else {
      json.writeStringField(name, value.toString());
    }
  }

  private static String message(LogRecord record) {
    String msg = record.getMessage();
    Object[] params = record.getParameters();
    if (msg == null || params == null || params.length == 0) {
      return String.valueOf(msg);
    }
    return java.text.MessageFormat.format(msg, params);
  }

  private static String stackTrace(Throwable thrown) {
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new java.io.PrintWriter(trace));
    return trace.toString();
  }

  @Override
  public void flush() {
    flush.run();
  }

  @Override
  public void close() {
    flush();
  }
}
