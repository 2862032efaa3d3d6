package io.crossbridge.hardening.concurrency;

/**
 * How an adaptive limit moves: told of each call that ended, it answers the limit for the calls
 * that follow. Implementations are thread-safe; {@link ConcurrencyLimiter} calls {@link #update}
 * from whichever thread releases a permit.
 */
public interface LimitAlgorithm {

    /** Returns the limit before any call has ended. */
    int initialLimit();

    /**
     * Takes one ended call into account and returns the new limit.
     *
     * @param startNanos when the call took its permit, a reading of the limiter's ticker
     * @param rttNanos   how long the call held its permit
     * @param inFlight   the calls in flight when it ended, itself included
     * @param overloaded whether the provider said it was overloaded (a 429 or 503, a
     *                   {@code Retry-After}) or the call timed out
     */
    int update(long startNanos, long rttNanos, int inFlight, boolean overloaded);
}
