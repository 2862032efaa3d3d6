package io.crossbridge.hardening.ratelimit;

/**
 * Thrown when a rate-limit key is null or blank. A call without a key is never allowed: one
 * shared bucket for "no key" would let any caller exhaust everybody's quota, and no bucket at all
 * would let every caller through.
 */
public class MissingRateLimitKeyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String limitName;

    public MissingRateLimitKeyException(String limitName) {
        super("key for rate limit '" + limitName + "' must not be null or blank");
        this.limitName = limitName;
    }

    /** Returns the name of the limit the call was made against. */
    public String limitName() {
        return limitName;
    }
}
