package dev.coffer.api.gateway;

/** gateway-config/nginx in front of two Coffer instances. */
class NginxGatewayTest extends GatewayContract {
  @Override
  String kind() {
    return "nginx";
  }
}
