package io.crossbridge.hardening.retry;

/**
 * The wait before a retry, as {@link RetryPolicy} and {@link Jitter} describe it.
 * <p>
 * Computed in {@code double} nanoseconds: {@code multiplier^(n-1)} may overflow a {@code long}
 * (10^99 at attempt 100), and a double saturates to infinity, which the cap then bounds. Every
 * result lies in {@code [0, maxDelay]}; the cap (at most one day, 8.64e13 ns) is exact in a
 * double.
 */
final class Backoff {

    /** Decorrelated jitter's growth factor, as the AWS article defines it. */
    private static final double DECORRELATED_GROWTH = 3.0;

    private Backoff() {
    }

    /**
     * Returns the wait in nanoseconds before retry {@code retry} (1 for the first retry).
     *
     * @param previousNanos the wait before the previous retry; only decorrelated jitter uses it
     * @param random        a uniform random number in {@code [0, 1)}
     */
    static long delayNanos(RetryPolicy policy, int retry, long previousNanos, double random) {
        double base = policy.baseDelay().toNanos();
        double cap = policy.maxDelay().toNanos();
        if (policy.jitter() == Jitter.DECORRELATED) {
            // Bound the range first, then draw: at the cap the waits still spread out.
            double upper = Math.min(cap, Math.max(previousNanos, base) * DECORRELATED_GROWTH);
            return (long) (base + random * (upper - base));
        }
        double exponential = base == 0 ? 0 : Math.min(cap, base * Math.pow(policy.multiplier(), retry - 1));
        switch (policy.jitter()) {
            case NONE:
                return (long) exponential;
            case FULL:
                return (long) (random * exponential);
            case EQUAL:
                return (long) (exponential / 2 + random * exponential / 2);
            default:
                throw new IllegalStateException("unknown jitter " + policy.jitter());
        }
    }
}
