package io.crossbridge.hardening.circuitbreaker;

/**
 * The recent outcomes a breaker judges by. Recording is lock-free; the counts read afterwards
 * may lag a concurrent recording by one call, which never matters to a percentage threshold.
 */
interface OutcomeWindow {

    /** Outcome bit: the call failed. */
    int FAILED = 1;

    /** Outcome bit: the call was slow. */
    int SLOW = 2;

    /**
     * Records one call; {@code outcome} is a combination of {@link #FAILED} and {@link #SLOW}.
     *
     * @return the window's counts after it, packed: see {@link Counts#unpack}
     */
    long record(int outcome, long nowNanos);

    /** Calls in the window, failed ones and slow ones, as of {@code nowNanos}. */
    Counts counts(long nowNanos);

    /** Bits per count in a packed triple. */
    int BITS = 21;

    long MASK = (1L << BITS) - 1;

    /** One call with {@code outcome}, packed like the counts. */
    static long packed(int outcome) {
        return 1L + ((outcome & FAILED) != 0 ? 1L << BITS : 0) + ((outcome & SLOW) != 0 ? 1L << (2 * BITS) : 0);
    }

    record Counts(int calls, int failed, int slow) {

        /** Counts from calls, failed and slow packed into one long, 21 bits each. */
        static Counts unpack(long packed) {
            return new Counts((int) (packed & MASK), (int) ((packed >>> BITS) & MASK), (int) ((packed >>> (2 * BITS)) & MASK));
        }

        float failureRate() {
            return calls == 0 ? 0 : failed * 100f / calls;
        }

        float slowCallRate() {
            return calls == 0 ? 0 : slow * 100f / calls;
        }
    }
}
