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
          "http://[::ffff:127.0.0.1]/x",
          // Issue 27, finding 8.
          "http://localhost./x",
          "http://metadata.google.internal./x",
          "http://localhost.localdomain/x",
          "http://[::1%25lo]/x",
          "http://[fe80::1%25lo]/x",
          "http://[64:ff9b::7f00:1]/x",
          "http://[64:ff9b:1::a00:1]/x",
          "http://[2002:7f00:1::]/x",
          "http://[2002:a00:1::]/x",
          "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x",
          "http://198.18.0.1/x",
          "http://198.19.255.255/x"
        }) {
      assertThat(WebhookUrls.refusal(internal, false)).as(internal).isNotNull();
      assertThat(WebhookUrls.refusal(internal, true)).as(internal).isNull();
    }
  }

  @Test
  void ambiguousIpv4LiteralsAreRefusedEvenWhenPrivateAddressesAreAllowed() {
    // Java reads 0177.0.0.1 as the public 177.0.0.1, curl and browsers as 127.0.0.1: only the
    // spelling every parser agrees on is taken.
    for (String ambiguous :
        new String[] {
          "http://0/x",
          "http://2130706433/x",
          "http://0177.0.0.1/x",
          "http://0x7f.0.0.1/x",
          "http://0x7f000001/x",
          "http://127.1/x",
          "http://127.0.1/x",
          "http://08.8.8.8/x",
          "http://8.8.8.08/x",
          "http://1.2.3.4.5/x",
          "http://256.1.1.1/x",
          "http://example.123/x"
        }) {
      assertThat(WebhookUrls.refusal(ambiguous, false)).as(ambiguous).isNotNull();
    }
    assertThat(WebhookUrls.refusal("http://8.8.8.8/x", false)).isNull();
    assertThat(WebhookUrls.refusal("http://[2001:db8::1]/x", false)).isNull();
    assertThat(WebhookUrls.refusal("http://hooks.example.com./x", false)).isNull();
  }

  @Test
  void namesAreResolvedAsDeliveryResolvesThem() {
    // /etc/hosts names localhost (and, on most machines, this host's own name): refused once
    // resolved, whatever the name looks like.
    assertThat(WebhookUrls.resolvedRefusal("http://localhost/x", false)).isNotNull();
    String loopbackName = loopbackNameFromHosts();
    if (loopbackName != null) {
      assertThat(WebhookUrls.refusal("http://" + loopbackName + "/x", false)).isNull();
      assertThat(WebhookUrls.resolvedRefusal("http://" + loopbackName + "/x", false))
          .as(loopbackName)
          .isNotNull();
    }
    assertThat(WebhookUrls.resolvedRefusal("http://hooks.invalid/x", false)).isNull();
    assertThat(WebhookUrls.resolvedRefusal("http://localhost/x", true)).isNull();
  }

  // A name /etc/hosts maps to 127.0.0.0/8 that no name rule catches (this machine's own name,
  // usually), or null.
  static String loopbackNameFromHosts() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/etc/hosts"))) {
        String[] fields = line.replaceAll("#.*", "").trim().split("\\s+");
        if (fields.length < 2 || !fields[0].startsWith("127.")) {
          continue;
        }
        for (int i = 1; i < fields.length; i++) {
          if (WebhookUrls.refusal("http://" + fields[i] + "/x", false) == null) {
            return fields[i];
          }
        }
      }
    } catch (java.io.IOException e) {
      return null;
    }
    return null;
  }

  @Test
  void resolvedAddressesAreJudgedTheSameWay() throws Exception {
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("::ffff:10.1.2.3"))).isTrue();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("203.0.113.7"))).isFalse();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("2001:db8::1"))).isFalse();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("64:ff9b::808:808"))).isFalse();
    assertThat(WebhookUrls.isInternal(InetAddress.getByName("2002:808:808::"))).isFalse();
  }
}
