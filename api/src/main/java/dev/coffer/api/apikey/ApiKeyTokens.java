package dev.coffer.api.apikey;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The form of an API key and the keyed hashes made of it.
 *
 * <p>A key is {@code ck_live_} then, in base64url, the user's id (22 characters), the key's id
 * (22), a tag (8) and the secret (43, 256 random bits): 103 characters that secret scanners find by
 * their prefix. The ids say where the key's entry is (the user's hash tag in Redis, so that one
 * call authenticates and counts the user's limits); the tag, an HMAC of the ids under the service's
 * key, lets a made-up key be refused with no lookup at all; only the secret's HMAC is stored, and
 * what is compared.
 */
public final class ApiKeyTokens {
  public static final String PREFIX = "ck_live_";

  /** The pattern secret scanners should use (also in docs/api.md). */
  public static final Pattern PATTERN = Pattern.compile("ck_live_[A-Za-z0-9_-]{95}");

  private static final int ID = 22;
  private static final int TAG = 8;
  private static final int SECRET = 43;
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  /** A key read back: whose, which, and its secret part. */
  public record Parsed(UUID user, UUID keyId, String secret) {}

  private final SecretKeySpec hmacKey;
  private final ThreadLocal<Mac> macs;

  public ApiKeyTokens(byte[] serviceKey) {
    this.hmacKey = new SecretKeySpec(serviceKey, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** A new key of {@code user} with id {@code keyId}. */
  public String issue(UUID user, UUID keyId) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String ids = encode(user) + encode(keyId);
    return PREFIX + ids + tag(ids) + BASE64.encodeToString(secret);
  }

  /** Whether {@code token} has a key's prefix (whatever follows). */
  public static boolean looksLikeKey(String token) {
    return token != null && token.startsWith(PREFIX);
  }

  /** {@code token} read, or null when it is not a key this service issued (form or tag). */
  public Parsed parse(String token) {
    if (token == null || !PATTERN.matcher(token).matches()) {
      return null;
    }
    int at = PREFIX.length();
    String ids = token.substring(at, at + 2 * ID);
    String tag = token.substring(at + 2 * ID, at + 2 * ID + TAG);
    if (!MessageDigest.isEqual(
        tag(ids).getBytes(StandardCharsets.US_ASCII), tag.getBytes(StandardCharsets.US_ASCII))) {
      return null;
    }
    UUID user = decode(ids.substring(0, ID));
    UUID key = decode(ids.substring(ID));
    if (user == null || key == null) {
      return null;
    }
    return new Parsed(user, key, token.substring(at + 2 * ID + TAG));
  }

  /** The public part of {@code token}: prefix, ids and tag, without the secret. */
  public static String publicPart(String token) {
    return token.substring(0, PREFIX.length() + 2 * ID + TAG);
  }

  /** The public part of key {@code keyId} of {@code user} (as its list shows it). */
  public String publicPart(UUID user, UUID keyId) {
    String ids = encode(user) + encode(keyId);
    return PREFIX + ids + tag(ids);
  }

  /** HMAC-SHA256 of a key's secret part under the service's key: all that is stored of it. */
  public byte[] secretHmac(String secret) {
    return mac("secret:" + secret);
  }

  /** {@link #secretHmac} in hex, as the Redis mirror holds it. */
  public String secretHmacHex(String secret) {
    return HEX.formatHex(secretHmac(secret));
  }

  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  private String tag(String ids) {
    return BASE64.encodeToString(mac("ids:" + ids)).substring(0, TAG);
  }

  private byte[] mac(String text) {
    Mac mac = macs.get();
    return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(hmacKey);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String encode(UUID id) {
    return BASE64.encodeToString(
        ByteBuffer.allocate(16)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits())
            .array());
  }

  private static UUID decode(String text) {
    try {
      byte[] bytes = DECODE.decode(text);
      if (bytes.length != 16) {
        return null;
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      return new UUID(buffer.getLong(), buffer.getLong());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
