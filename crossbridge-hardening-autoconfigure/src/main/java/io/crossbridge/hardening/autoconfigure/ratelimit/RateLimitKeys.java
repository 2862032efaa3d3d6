package io.crossbridge.hardening.autoconfigure.ratelimit;

import java.util.Locale;

/**
 * The namespaces of rate-limit keys, one per source, so that no source can reach another's
 * bucket under the same limit: a client sending {@code X-API-Key: principal:alice} must not drain
 * alice's bucket. A principal's key is {@code principal:NAME}, a client address's
 * {@code ip:ADDRESS}, a header's {@code header:NAME:VALUE} (the name in lower case), and a key
 * expression's value is used as it is, unless it starts like one of those namespaces (or like
 * {@code key:}), in which case it is prefixed with {@code key:}. That keeps the keys that
 * applications write themselves unchanged, and allocation-free, in all but that one case.
 */
public final class RateLimitKeys {

    private static final String[] RESERVED = { "principal:", "ip:", "header:", "key:" };

    private RateLimitKeys() {
    }

    public static String principal(String name) {
        return "principal:" + name;
    }

    public static String ip(String address) {
        return "ip:" + address;
    }

    /** How the keys of a header's values start, made once per rule. */
    public static String headerPrefix(String name) {
        return "header:" + name.toLowerCase(Locale.ROOT) + ":";
    }

    /** The key of a header's value under its {@link #headerPrefix}; {@code null} without a value. */
    public static String header(String prefix, String value) {
        return value == null || value.isBlank() ? null : prefix + value;
    }

    /** The key an expression gave, kept out of the other sources' namespaces. */
    public static String expression(String value) {
        if (value != null) {
            for (String reserved : RESERVED) {
                if (value.startsWith(reserved)) {
                    return "key:" + value;
                }
            }
        }
        return value;
    }
}
