package io.crossbridge.hardening.ratelimit;

import java.time.Duration;

/**
 * Thrown by {@link RateLimiter#acquireOrThrow} when a bucket lacks the requested tokens.
 * <p>
 * The message names the key only by its {@link KeyFingerprint}: keys may be secrets such as API
 * keys, and exception messages end up in logs. The exception carries no stack trace: a rejection
 * is an expected outcome, frequent under load, and the limit name says where it came from.
 */
public class RateLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient String key;

    private final transient RateLimit limit;

    private final Duration retryAfter;

    public RateLimitExceededException(String key, RateLimit limit, Duration retryAfter) {
        super("Rate limit '" + limit.name() + "' exceeded for key " + KeyFingerprint.of(key)
                + "; retry after " + retryAfter, null, false, false);
        this.key = key;
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    /** Returns the key whose bucket was empty. May be a secret: never log or show it. */
    public String key() {
        return key;
    }

    /** Returns the limit that was exceeded. */
    public RateLimit limit() {
        return limit;
    }

    /** Returns how long until the requested tokens are available. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
