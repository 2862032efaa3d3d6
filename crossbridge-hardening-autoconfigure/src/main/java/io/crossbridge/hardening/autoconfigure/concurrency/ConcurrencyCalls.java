package io.crossbridge.hardening.autoconfigure.concurrency;

/**
 * Counts the calls of one limit by whether they got a place. Kept free of Micrometer types, so
 * the interceptor runs without Micrometer on the class path.
 */
interface ConcurrencyCalls {

    /** Counts nothing, when no meter registry exists. */
    ConcurrencyCalls NONE = permitted -> {
    };

    /** Counts a call that got a place ({@code true}) or was refused one. */
    void record(boolean permitted);

    /** Makes the counters of one limit, once. */
    @FunctionalInterface
    interface Factory {

        ConcurrencyCalls forLimit(String name);
    }
}
