package dev.coffer.api.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is off unless an exporter is named, and OTEL_SDK_DISABLED wins. */
class TracingSettingsTest {
  @Test
  void offByDefaultAndWithOnlyOtherVariables() {
    assertThat(TracingSettings.from(Map.of()).enabled()).isFalse();
    assertThat(
            TracingSettings.from(Map.of("OTEL_TRACES_SAMPLER_ARG", "0.1", "PATH", "/bin"))
                .enabled())
        .isFalse();
  }

  @Test
  void anEndpointOrAnExporterTurnsItOn() {
    assertThat(
            TracingSettings.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")).enabled())
        .isTrue();
    assertThat(
            TracingSettings.from(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1"))
                .enabled())
        .isTrue();
    assertThat(TracingSettings.from(Map.of("OTEL_TRACES_EXPORTER", "otlp")).enabled()).isTrue();
  }

  @Test
  void noneOrADisabledSdkKeepsItOff() {
    assertThat(
            TracingSettings.from(
                    Map.of(
                        "OTEL_TRACES_EXPORTER", "none",
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"))
                .enabled())
        .isFalse();
    assertThat(
            TracingSettings.from(
                    Map.of(
                        "OTEL_SDK_DISABLED", "true",
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"))
                .enabled())
        .isFalse();
  }

  @Test
  void onlyOtelVariablesAreKeptAndBecomeSdkProperties() {
    TracingSettings settings =
        TracingSettings.from(
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "COFFER_HTTP_PORT", "8080"));
    assertThat(settings.otel()).containsOnlyKeys("OTEL_EXPORTER_OTLP_ENDPOINT");
    assertThat(settings.properties())
        .containsExactly(Map.entry("otel.exporter.otlp.endpoint", "http://c:4318"));
  }
}
