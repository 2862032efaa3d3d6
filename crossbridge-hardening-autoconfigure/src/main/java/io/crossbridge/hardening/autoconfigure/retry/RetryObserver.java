package io.crossbridge.hardening.autoconfigure.retry;

import java.time.Duration;

/**
 * Observes each call of a {@code @RetryWithBackoff} method, so that a trace shows its attempts.
 * Kept free of Micrometer types, so the interceptor runs without Micrometer on the class path.
 */
@FunctionalInterface
interface RetryObserver {

    /** Observes nothing, when no observation registry exists. */
    RetryObserver NONE = (method, onThisThread, parent) -> Call.NONE;

    /**
     * Starts observing one call.
     *
     * @param onThisThread whether the call ends on this thread, so that the observation can be
     *                     made current while it runs
     * @param parent the caller's observation, for a call whose caller keeps it beside the call (a
     *               reactive one); {@code null} for the one current on this thread
     */
    Call start(RetriedMethod method, boolean onThisThread, Object parent);

    /**
     * One observed call.
     */
    interface Call {

        /** An observed call that records nothing. */
        Call NONE = new Call() {

            @Override
            public void retrying(int attempt, Throwable failure, Duration delay) {
            }

            @Override
            public void end(Throwable failure) {
            }

            @Override
            public void cancelled() {
            }
        };

        /** Attempt {@code attempt} failed, and the next follows after {@code delay}. */
        void retrying(int attempt, Throwable failure, Duration delay);

        /** The call ended: with {@code failure}, or with a success when it is {@code null}. */
        void end(Throwable failure);

        /** The caller cancelled the call: it ends with no outcome. */
        void cancelled();

        /** The observation itself, for a reactive call to make current in its context; or {@code null}. */
        default Object observation() {
            return null;
        }
    }
}
