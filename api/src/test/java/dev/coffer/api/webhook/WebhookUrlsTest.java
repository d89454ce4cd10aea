package dev.coffer.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** What a webhook URL may be: public http(s) only, unless private addresses are allowed. */
class WebhookUrlsTest {

  @Test
  void onlyAbsoluteHttpOrHttpsWithAHostAndNoUserInfo() {
    assertThat(WebhookUrls.refusal("https://hooks.example.com/coffer?x=1", false)).isNull();
    assertThat(WebhookUrls.refusal("http://203.0.113.7:8080/in", false)).isNull();
    for (String bad :
        new String[] {
          "ftp://example.com/x",
          "file:///etc/passwd",
          "gopher://example.com",
          "//example.com/x",
          "/relative",
          "http://",
          "https://user:pw@example.com/x",
          "https://example.com/x#frag",
          "not a url"
        }) {
      assertThat(WebhookUrls.refusal(bad, false)).as(bad).isNotNull();
      assertThat(WebhookUrls.refusal(bad, true)).as(bad).isNotNull();
    }
  }

  @Test
  void internalAddressesAreRefusedUnlessAllowed() {
    for (String internal :
        new String[] {
          "http://localhost:8080/x",
          "http://api.localhost/x",
          "http://metadata.google.internal/x",
          "http://127.0.0.1/x",
          "http://127.1.2.3/x",
          "http://10.0.0.1/x",
          "http://172.16.5.4/x",
          "http://192.168.1.1/x",
          "http://169.254.169.254/latest/meta-data",
          "http://100.64.0.1/x",
          "http://0.0.0.0/x",
          "http://[::1]/x",
          "http://[fd00::1]/x",
          "http://[fe80::1]/x",
          "http://[::ffff:127.0.0.1]/x"
        }) {
      assertThat(WebhookUrls.refusal(internal, false)).as(internal).isNotNull();
      assertThat(WebhookUrls.refusal(internal, true)).as(internal).isNull();
    }
  }

  @Test
  void resolvedAddressesAreJudgedTheSameWay() throws Exception {
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("::ffff:10.1.2.3"))).isTrue();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("203.0.113.7"))).isFalse();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("2001:db8::1"))).isFalse();
  }
}
