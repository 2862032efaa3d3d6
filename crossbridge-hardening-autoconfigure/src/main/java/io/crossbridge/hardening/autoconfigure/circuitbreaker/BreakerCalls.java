package io.crossbridge.hardening.autoconfigure.circuitbreaker;

/**
 * Counts the calls of one breaker's methods by outcome. Kept free of Micrometer types, so the
 * interceptor runs without Micrometer on the class path.
 */
@FunctionalInterface
interface BreakerCalls {

    /** Counts nothing, when no meter registry exists. */
    BreakerCalls NONE = outcome -> {
    };

    enum Outcome {
        SUCCESS, FAILURE, NOT_PERMITTED, FALLBACK
    }

    void record(Outcome outcome);

    /** Makes the counters of one breaker, once. */
    @FunctionalInterface
    interface Factory {

        BreakerCalls forBreaker(String name);
    }
}
