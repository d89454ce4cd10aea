package dev.coffer.api.gateway;

/** gateway-config/haproxy in front of two Coffer instances. */
class HaproxyGatewayTest extends GatewayContract {
  @Override
  String kind() {
    return "haproxy";
  }
}
