package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Redis key of a bucket: {@code <prefix>:<limit>:<key>}.
 * <p>
 * The limit name and the key are encoded so that no key can reach outside its prefix or land in
 * another bucket: every byte outside {@code [A-Za-z0-9._-]} is percent-encoded (so {@code {},
 * {@code }}, {@code %}, newlines and non-ASCII never appear raw), which is one-to-one. A key may
 * keep its {@code :} (IPv6 addresses, {@code tenant:user}); a limit name may not, so the first
 * {@code :} after the prefix always ends the limit name. An encoding longer than 128 characters
 * is replaced by {@code #} and the base64url SHA-256 of the original, which cannot clash with a
 * percent-encoding (that writes {@code #} as {@code %23}) and keeps Redis memory bounded for huge
 * keys.
 * <p>
 * There is no hash tag: a bucket is one key, so it lives in one Redis Cluster slot anyway. Short
 * names matter: Redis stores keys of up to 30 characters in 32 bytes, longer ones in 48 or more,
 * and the key name is most of what a bucket costs.
 */
final class RedisKeys {

    private static final int LONGEST_ENCODING = 128;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** How many limits' key heads {@link #bucketBytes} keeps: limits are configured, so few. */
    private static final int MOST_HEADS = 256;

    private final String prefix;

    /** Per limit name, the bytes of {@code <prefix>:<limit>:}, made once. */
    private final Map<String, byte[]> heads = new ConcurrentHashMap<>();

    /**
     * @throws IllegalArgumentException when the prefix is blank or holds a brace: a hash tag in it
     *                                  would put every bucket in one Redis Cluster slot
     */
    RedisKeys(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("key prefix must not be blank or hold '{' or '}', was " + prefix);
        }
        this.prefix = prefix;
    }

    /** The key of the bucket of {@code key} under the limit named {@code limit}. */
    String bucket(String limit, String key) {
        return prefix + ":" + encode(limit, false) + ":" + encode(key, true);
    }

    /**
     * The bytes of {@link #bucket}, which Redis gets, made in one array for a key that needs no
     * encoding (most do not: user ids, API keys, addresses): a decision costs Redis a round trip
     * and the application the allocations around it.
     */
    byte[] bucketBytes(String limit, String key) {
        byte[] head = heads.get(limit);
        if (head == null) {
            head = (prefix + ":" + encode(limit, false) + ":").getBytes(StandardCharsets.UTF_8);
            if (heads.size() < MOST_HEADS) {
                heads.putIfAbsent(limit, head);
            }
        }
        int length = key.length();
        if (length > LONGEST_ENCODING) {
            return bucket(limit, key).getBytes(StandardCharsets.UTF_8);
        }
        byte[] bytes = Arrays.copyOf(head, head.length + length);
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (!keptAsItIs(c, true)) {
                return bucket(limit, key).getBytes(StandardCharsets.UTF_8);
            }
            bytes[head.length + i] = (byte) c;
        }
        return bytes;
    }

    /** The pattern that {@code SCAN MATCH} finds every bucket under this prefix with. */
    String pattern() {
        StringBuilder pattern = new StringBuilder(prefix.length() + 2);
        for (char c : prefix.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                pattern.append('\\');
            }
            pattern.append(c);
        }
        return pattern.append(":*").toString();
    }

    static String encode(String value, boolean keepColon) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder encoded = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (keptAsItIs(c, keepColon)) {
                encoded.append((char) c);
            }
            else {
                encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
            if (encoded.length() > LONGEST_ENCODING) {
                return "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(bytes));
            }
        }
        return encoded.toString();
    }

    private static boolean keptAsItIs(int c, boolean keepColon) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                || c == '-' || (c == ':' && keepColon);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required of every JVM", ex);
        }
    }
}
