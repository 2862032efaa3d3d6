package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.ratelimit.RateLimit;

import java.time.Duration;

/**
 * The rate-limit response fields of draft-ietf-httpapi-ratelimit-headers-10 ("RateLimit header
 * fields for HTTP"), in Structured Field syntax (RFC 9651): {@code RateLimit-Policy} names each
 * policy with its quota {@code q} and window {@code w} in seconds, {@code RateLimit} gives what is
 * left, {@code r}, and the seconds {@code t} until it changes: until the requested tokens are
 * there for a rejected request, until the bucket is full again for an allowed one. A value of
 * several policies is a list, one item per policy.
 */
final class RateLimitHeaders {

    static final String POLICY = "RateLimit-Policy";

    static final String RATE_LIMIT = "RateLimit";

    private RateLimitHeaders() {
    }

    /** One {@code RateLimit-Policy} item: {@code "search";q=30;w=60}. */
    static String policy(RateLimit limit) {
        return name(limit) + ";q=" + limit.capacity() + ";w=" + seconds(limit.window());
    }

    /** One {@code RateLimit} item: {@code "search";r=0;t=2}. */
    static String remaining(RateLimit limit, double remaining, Duration reset) {
        return remaining(remainingPrefix(limit), remaining, reset);
    }

    /** The start of a {@code RateLimit} item, which a fixed limit builds once: {@code "search";r=}. */
    static String remainingPrefix(RateLimit limit) {
        return name(limit) + ";r=";
    }

    /** One {@code RateLimit} item after its {@link #remainingPrefix}. */
    static String remaining(String prefix, double remaining, Duration reset) {
        return prefix + (long) Math.floor(Math.max(0, remaining)) + ";t=" + seconds(reset);
    }

    /**
     * Returns whole seconds, rounded up so that a client that waits this long is never early, and
     * at least 1 for any positive time.
     */
    static long seconds(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            return 0;
        }
        long seconds = duration.getSeconds();
        return duration.getNano() > 0 ? seconds + 1 : seconds;
    }

    /**
     * The limit's name as an sf-string: quotes and backslashes escaped, and anything outside
     * printable ASCII (which an sf-string cannot hold) replaced by '?'.
     */
    private static String name(RateLimit limit) {
        StringBuilder quoted = new StringBuilder(limit.name().length() + 2).append('"');
        for (char c : limit.name().toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            }
            else {
                quoted.append(c >= 0x20 && c < 0x7f ? c : '?');
            }
        }
        return quoted.append('"').toString();
    }
}
