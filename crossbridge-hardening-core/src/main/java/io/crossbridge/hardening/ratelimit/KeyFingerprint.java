package io.crossbridge.hardening.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short, stable stand-in for a rate-limit key in messages and logs, where the key itself (an
 * API key, say) must not appear: {@code #} and the first 8 hex digits of its SHA-256.
 */
public final class KeyFingerprint {

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
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(digest, 0, 4);
        }
        catch (NoSuchAlgorithmException ex) {
            // Every Java platform must provide SHA-256 (MessageDigest's javadoc).
            throw new IllegalStateException(ex);
        }
    }
}
