package dev.coffer.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** X-Forwarded-For is believed from trusted proxies only, and read from the right. */
class ClientAddressesTest {
  private final ClientAddresses behindProxy =
      ClientAddresses.trusting(List.of("10.0.0.0/8", "::1/128"));

  @Test
  void anUntrustedPeerIsTheClientWhateverItsHeaderSays() {
    assertThat(behindProxy.of("198.51.100.7", List.of("1.2.3.4"))).isEqualTo("198.51.100.7");
    assertThat(ClientAddresses.trusting(List.of()).of("127.0.0.1", List.of("1.2.3.4")))
        .isEqualTo("127.0.0.1");
  }

  @Test
  void behindTrustedProxiesTheFirstUntrustedHopFromTheRightIsTheClient() {
    assertThat(behindProxy.of("10.1.1.1", List.of("203.0.113.5"))).isEqualTo("203.0.113.5");
    // A client can prepend anything: only the hops our proxies added count.
    assertThat(behindProxy.of("10.1.1.1", List.of("6.6.6.6, 203.0.113.5, 10.2.2.2")))
        .isEqualTo("203.0.113.5");
    assertThat(behindProxy.of("::1", List.of("2001:db8::1"))).isEqualTo("2001:db8::1");
    assertThat(behindProxy.of("10.1.1.1", List.of())).isEqualTo("10.1.1.1");
  }

  @Test
  void garbageOrHostNamesInTheHeaderAreNotBelieved() {
    assertThat(behindProxy.of("10.1.1.1", List.of("example.com"))).isEqualTo("10.1.1.1");
    // Hex letters alone would be a host name to resolve, not an address.
    assertThat(behindProxy.of("10.1.1.1", List.of("cafe"))).isEqualTo("10.1.1.1");
    assertThat(ClientAddresses.literal("cafe")).isNull();
    assertThat(ClientAddresses.literal("1.2")).isNull();
    assertThat(ClientAddresses.literal("203.0.113.9")).hasSize(4);
    assertThat(ClientAddresses.literal("2001:db8::1")).hasSize(16);
    assertThat(behindProxy.of("10.1.1.1", List.of("unknown, 10.3.3.3"))).isEqualTo("10.3.3.3");
  }

  @Test
  void badNetworksAreRefused() {
    assertThatThrownBy(() -> ClientAddresses.trusting(List.of("10.0.0.0/33")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientAddresses.trusting(List.of("proxy.local/8")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
