package io.crossbridge.hardening.autoconfigure.retry;

/**
 * Records the outcome of each call of one {@code @RetryWithBackoff} method: made once per method,
 * so that no meter is looked up per call.
 */
@FunctionalInterface
interface RetryRecorder {

    /** Records nothing, when no meter registry exists. */
    RetryRecorder NONE = (attempts, succeeded) -> {
    };

    /**
     * @param attempts  attempts made, the first included
     * @param succeeded whether the call ended in a success
     */
    void record(int attempts, boolean succeeded);

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
