package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.retry.RetryExhaustedException;

import java.util.Locale;

/**
 * Records the outcome of each call of one {@code @RetryWithBackoff} method: made once per method,
 * so that no meter is looked up per call.
 */
@FunctionalInterface
interface RetryRecorder {

    /** Records nothing, when no meter registry exists. */
    RetryRecorder NONE = (attempts, outcome) -> {
    };

    /**
     * @param attempts attempts made, the first included
     * @param outcome  how the call ended
     */
    void record(int attempts, Outcome outcome);

    /** How a call ended: the {@code outcome} tag of {@code crossbridge.retry.calls}. */
    enum Outcome {

        SUCCESS_WITHOUT_RETRY, SUCCESS_WITH_RETRY, FAILED_WITHOUT_RETRY, FAILED_WITH_RETRY,

        /**
         * The provider asked for a longer wait than the policy allows (its {@code max-delay} or
         * what is left of its {@code max-elapsed}), so retrying stopped at once.
         */
        FAILED_RETRY_AFTER_TOO_LONG;

        static Outcome succeeded(int attempts) {
            return attempts > 1 ? SUCCESS_WITH_RETRY : SUCCESS_WITHOUT_RETRY;
        }

        static Outcome failed(int attempts, Throwable failure) {
            if (failure instanceof RetryExhaustedException exhausted
                    && exhausted.reason() == RetryExhaustedException.Reason.RETRY_AFTER_TOO_LONG) {
                return FAILED_RETRY_AFTER_TOO_LONG;
            }
            return attempts > 1 ? FAILED_WITH_RETRY : FAILED_WITHOUT_RETRY;
        }

        /** The tag value. */
        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Makes the recorder of each method.
     */
    @FunctionalInterface
    interface Factory {

        /**
         * @param name   the method as {@code Class.method}
         * @param policy the policy name
         */
        RetryRecorder forMethod(String name, String policy);
    }
}
