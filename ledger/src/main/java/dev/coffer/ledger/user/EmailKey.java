package dev.coffer.ledger.user;

import java.text.Normalizer;

/**
 * The one form of an e-mail address that storage, log-in lookup and the log-in rate limit all
 * compare: Unicode NFKC, then the ASCII letters A-Z lower-cased, nothing else folded.
 *
 * <p>Why not a full lower-casing: Java's and Postgres's disagree (Java lower-cases {@code İ} to
 * {@code i̇}, Postgres's {@code lower()} to {@code i} under most locales), so one address had two
 * limiter keys for one user. ASCII folding is the same everywhere; the changeset that added {@code
 * users.email_key} computes it in SQL as {@code translate(normalize(email, NFKC), 'A..Z', 'a..z')}
 * for rows that existed before, and a test checks that both agree.
 */
public final class EmailKey {
  private EmailKey() {}

  /** The key of {@code email} (trimmed of surrounding white space first). */
  public static String of(String email) {
    String normal = Normalizer.normalize(email.strip(), Normalizer.Form.NFKC);
    StringBuilder key = new StringBuilder(normal.length());
    for (int i = 0; i < normal.length(); i++) {
      char c = normal.charAt(i);
      key.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return key.toString();
  }
}
