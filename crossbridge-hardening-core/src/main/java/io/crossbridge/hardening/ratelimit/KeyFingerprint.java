package io.crossbridge.hardening.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A short stand-in for a rate-limit key in messages and logs, where the key itself (an API key,
 * say) must not appear: {@code #} and 8 hex digits of an HMAC-SHA256 of the key.
 * <p>
 * The HMAC's secret is random per JVM, so the same key gives the same fingerprint within one
 * process (log lines can be correlated) while a fingerprint cannot be reversed by hashing
 * guesses: a plain hash of an IP address or a short user id could be, in seconds.
 */
public final class KeyFingerprint {

    private static final String ALGORITHM = "HmacSHA256";

    private static final SecretKeySpec SECRET = randomSecret();

    private KeyFingerprint() {
    }

    /**
     * Returns the fingerprint of {@code key}, or {@code "<none>"} for null.
     */
    public static String of(String key) {
        if (key == null) {
            return "<none>";
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(SECRET);
            byte[] digest = mac.doFinal(key.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(digest, 0, 4);
        }
        catch (GeneralSecurityException ex) {
            // Every Java platform must provide HmacSHA256 (the Mac javadoc).
            throw new IllegalStateException(ex);
        }
    }

    private static SecretKeySpec randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new SecretKeySpec(secret, ALGORITHM);
    }
}
