package io.crossbridge.hardening.retry;

import java.time.Duration;

/**
 * Told before each wait between attempts, for logging and metrics. It runs on the retrying
 * thread and should return quickly; an exception it throws ends the call with that exception.
 */
@FunctionalInterface
public interface RetryListener {

    /** A listener that does nothing. */
    RetryListener NONE = (attempt, failure, delay) -> {
    };

    /**
     * Called after attempt {@code attempt} (1 for the first call) failed and before waiting
     * {@code delay} for the next.
     *
     * @param failure what the attempt threw, or {@code null} when the policy's
     *                {@code retryOnResult} rejected what it returned
     */
    void onRetry(int attempt, Throwable failure, Duration delay);
}
