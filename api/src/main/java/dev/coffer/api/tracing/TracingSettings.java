package dev.coffer.api.tracing;

import java.util.Map;
import java.util.TreeMap;

/**
 * OpenTelemetry's own variables ({@code OTEL_*}, as its SDK documents them), taken from the same
 * environment as the rest of the configuration. Tracing is off unless an exporter is named: {@code
 * OTEL_EXPORTER_OTLP_ENDPOINT} (or {@code …_TRACES_ENDPOINT}), or {@code OTEL_TRACES_EXPORTER}
 * other than {@code none}; {@code OTEL_SDK_DISABLED=true} turns it off whatever else is set.
 */
public record TracingSettings(Map<String, String> otel) {
  public TracingSettings {
    otel = Map.copyOf(otel);
  }

  /** The {@code OTEL_*} entries of {@code env}. */
  public static TracingSettings from(Map<String, String> env) {
    Map<String, String> otel = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_") && value != null) {
            otel.put(name, value);
          }
        });
    return new TracingSettings(otel);
  }

  public boolean enabled() {
    if ("true".equalsIgnoreCase(otel.getOrDefault("OTEL_SDK_DISABLED", "").trim())) {
      return false;
    }
    String exporter = otel.get("OTEL_TRACES_EXPORTER");
    if (exporter != null && !exporter.isBlank()) {
      return !exporter.trim().equals("none");
    }
    return otel.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
        || otel.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  }

  /** The variables as the SDK's configuration properties ({@code otel.exporter.otlp.endpoint}). */
  Map<String, String> properties() {
    Map<String, String> properties = new TreeMap<>();
    otel.forEach(
        (name, value) ->
            properties.put(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'), value));
    return properties;
  }
}
