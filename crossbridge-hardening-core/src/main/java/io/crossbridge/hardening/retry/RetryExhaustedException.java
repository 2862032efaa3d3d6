package io.crossbridge.hardening.retry;

/**
 * Thrown when retrying a transient failure stops before a success. The last failure is the cause
 * and earlier ones are suppressed; {@link #reason()} says why it stopped.
 */
public class RetryExhaustedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    private final Reason reason;

    public RetryExhaustedException(String message, int attempts, Reason reason, Throwable lastFailure) {
        super(message, lastFailure);
        this.attempts = attempts;
        this.reason = reason;
    }

    /** Returns how many attempts were made. */
    public int attempts() {
        return attempts;
    }

    /** Returns why retrying stopped. */
    public Reason reason() {
        return reason;
    }

    /**
     * Returns the last failure with the earlier ones added to it as suppressed, for callers that
     * rethrow the failure itself (as annotated methods do), or this exception when no attempt
     * threw (every result was rejected).
     */
    public Throwable toLastFailure() {
        Throwable last = getCause();
        if (last == null) {
            return this;
        }
        for (Throwable earlier : getSuppressed()) {
            if (earlier != last) {
                last.addSuppressed(earlier);
            }
        }
        return last;
    }

    /**
     * Why retrying stopped.
     */
    public enum Reason {

        /** Every attempt the policy allows was made. */
        ATTEMPTS,

        /** The next wait would have passed the policy's {@code maxElapsed}. */
        MAX_ELAPSED,

        /**
         * The failure asked for a longer wait (a provider's {@code Retry-After}) than the policy's
         * {@code maxDelay} or than what is left of its {@code maxElapsed}.
         */
        RETRY_AFTER_TOO_LONG,

        /** The shared {@link RetryBudget} had no retry left. */
        BUDGET,

        /** The thread was interrupted while waiting; its interrupt flag is still set. */
        INTERRUPTED
    }
}
