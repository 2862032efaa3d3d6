package io.crossbridge.hardening.ratelimit;

import java.time.Duration;

/**
 * A named token-bucket limit: at most {@code capacity} tokens at once, refilled continuously at
 * {@code capacity} tokens per {@code window}.
 * <p>
 * Time is kept in whole nanoseconds, so the refill interval of one token is {@code window /
 * capacity} rounded <em>up</em> to a whole nanosecond. Where the window does not divide evenly the
 * bucket refills at most one nanosecond per token slower than the exact rate (7 per second refill
 * fully in 1,000,000,001 ns): rounding never admits more than the limit. Two consequences are
 * rejected as configuration errors: a rate above one token per nanosecond, and a bucket that
 * would take longer than {@link #MAX_REFILL} to refill from empty.
 *
 * @param name     the limit's name; with the caller's key it identifies a bucket
 * @param capacity the most tokens a bucket holds, and so the largest burst
 * @param window   the time in which an empty bucket refills completely
 */
public record RateLimit(String name, long capacity, Duration window) {

    /** The longest refill time a limit may have: 2^62 ns, about 146 years. */
    public static final Duration MAX_REFILL = Duration.ofNanos(1L << 62);

    public RateLimit {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name of a rate limit must not be null or blank, was " + quoted(name));
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException(
                    "capacity of rate limit '" + name + "' must be at least 1, was " + capacity);
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(
                    "window of rate limit '" + name + "' must be positive, was " + window);
        }
        if (window.compareTo(MAX_REFILL) > 0) {
            throw new IllegalArgumentException("window of rate limit '" + name + "' must be at most "
                    + MAX_REFILL + " (about 146 years), was " + window);
        }
        long windowNanos = window.toNanos();
        if (windowNanos < capacity) {
            throw new IllegalArgumentException("rate limit '" + name + "' asks for " + capacity + " tokens per "
                    + window + ", more than one token per nanosecond, the finest rate a bucket represents");
        }
        long nanosPerToken = ceilDiv(windowNanos, capacity);
        if (nanosPerToken > MAX_REFILL.toNanos() / capacity) {
            throw new IllegalArgumentException("rate limit '" + name + "' with capacity " + capacity + " per "
                    + window + " would take longer than " + MAX_REFILL + " to refill");
        }
    }

    /**
     * Returns a limit of {@code capacity} tokens per {@code window}.
     */
    public static RateLimit of(String name, long capacity, Duration window) {
        return new RateLimit(name, capacity, window);
    }

    /**
     * Returns the time one token takes to refill: {@code window / capacity}, rounded up to a whole
     * nanosecond.
     */
    public long nanosPerToken() {
        return ceilDiv(window.toNanos(), capacity);
    }

    /**
     * Returns the time an empty bucket takes to refill completely: {@code capacity} times
     * {@link #nanosPerToken()}, never less than the window.
     */
    public long refillNanos() {
        return nanosPerToken() * capacity;
    }

    /**
     * Checks a request's token count against this limit, for every store alike.
     *
     * @throws IllegalArgumentException unless {@code tokens} is from 1 to the capacity
     */
    public void checkTokens(int tokens) {
        if (tokens <= 0 || tokens > capacity) {
            throw new IllegalArgumentException("tokens must be from 1 to the capacity of rate limit '" + name + "' ("
                    + capacity + "), was " + tokens);
        }
    }

    private static long ceilDiv(long dividend, long divisor) {
        return dividend / divisor + (dividend % divisor == 0 ? 0 : 1);
    }

    private static String quoted(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
