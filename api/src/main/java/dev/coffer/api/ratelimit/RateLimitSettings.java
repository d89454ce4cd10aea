package dev.coffer.api.ratelimit;

import dev.coffer.api.ratelimit.RateLimitPolicy.Scope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Rate limiting's configuration: whether it runs, what happens when Redis cannot answer, the
 * policies by name, and the proxies whose {@code X-Forwarded-For} is believed.
 */
public record RateLimitSettings(
    boolean enabled,
    boolean failClosed,
    Map<String, RateLimitPolicy> policies,
    List<String> trustedProxies) {

  /** Policy names, their scopes and default {@code LIMIT/SECONDS}. */
  public static final Map<String, Object[]> DEFAULTS = defaults();

  private static Map<String, Object[]> defaults() {
    Map<String, Object[]> d = new LinkedHashMap<>();
    d.put("anonymous", new Object[] {Scope.IP, "300/60"});
    d.put("login-ip", new Object[] {Scope.IP, "30/600"});
    // Failed log-ins (not attempts) per e-mail and client address, and per e-mail from every
    // address: applied by the log-in itself (user/LoginThrottle), not named in x-rate-limit.
    d.put("login-email", new Object[] {Scope.EMAIL, "10/600"});
    d.put("login-email-all", new Object[] {Scope.EMAIL, "100/3600"});
    d.put("account-creation", new Object[] {Scope.USER, "30/3600"});
    d.put("money", new Object[] {Scope.USER, "600/60"});
    d.put("reads", new Object[] {Scope.USER, "1200/60"});
    d.put("api-key", new Object[] {Scope.KEY, "1200/60"});
    return d;
  }

  /**
   * The policies, each from {@code COFFER_RATE_LIMIT_<NAME>} (upper case, dashes as underscores)
   * when {@code env} has it, else its default.
   */
  public static Map<String, RateLimitPolicy> policies(UnaryOperator<String> env) {
    Map<String, RateLimitPolicy> policies = new LinkedHashMap<>();
    DEFAULTS.forEach(
        (name, d) -> {
          String variable = variable(name);
          String value = env.apply(variable);
          try {
            policies.put(
                name,
                RateLimitPolicy.parse(name, (Scope) d[0], value == null ? (String) d[1] : value));
          } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                "invalid " + variable + "=" + value + ": " + e.getMessage(), e);
          }
        });
    return policies;
  }

  /** {@code login-ip} → {@code COFFER_RATE_LIMIT_LOGIN_IP}. */
  public static String variable(String policy) {
    return "COFFER_RATE_LIMIT_" + policy.toUpperCase().replace('-', '_');
  }
}
