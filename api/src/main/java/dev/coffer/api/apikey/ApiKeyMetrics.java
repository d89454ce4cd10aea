package dev.coffer.api.apikey;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code coffer_api_key_requests_total} by result: authenticated, unknown (no such live key, or a
 * wrong secret), revoked, malformed (not a key this service issued), unavailable (Redis could not
 * answer), insufficient-scope. Never by key: the series stay few whatever the number of keys.
 */
public final class ApiKeyMetrics implements MeterBinder {
  static final List<String> RESULTS =
      List.of(
          "authenticated", "unknown", "revoked", "malformed", "unavailable", "insufficient-scope");
  private final Map<String, LongAdder> counts = new LinkedHashMap<>();

  public ApiKeyMetrics() {
    RESULTS.forEach(result -> counts.put(result, new LongAdder()));
  }

  /** Counts one request with a key that ended in {@code result} (one of {@link #RESULTS}). */
  public void count(String result) {
    counts.get(result).increment();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counts.forEach(
        (result, count) ->
            FunctionCounter.builder("coffer.api.key.requests", count, LongAdder::sum)
                .description("requests that came with an API key, by result")
                .tag("result", result)
                .register(registry));
  }
}
