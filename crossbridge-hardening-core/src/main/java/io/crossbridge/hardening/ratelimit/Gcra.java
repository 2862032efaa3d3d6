package io.crossbridge.hardening.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The token bucket as GCRA: one {@code long} word per bucket, its theoretical arrival time (TAT).
 *
 * <h2>Representation</h2>
 * Times are nanoseconds on the limiter's own time line (see {@link InMemoryRateLimiter}), which
 * stays within +/-(2^61 - 1). A request of {@code n} tokens costs {@code n * I} nanoseconds, where
 * {@code I} is the limit's {@link RateLimit#nanosPerToken()}; the bucket's span {@code S =
 * capacity * I} is the time an empty bucket takes to refill. At time {@code now} the bucket owes
 * {@code debt = max(0, TAT - now)} nanoseconds and holds {@code (S - debt) / I} tokens, so
 * {@code TAT <= now} means full: a full bucket is indistinguishable from a new one.
 *
 * <h2>Transitions</h2>
 * A word changes only atomically:
 * <ul>
 * <li>take (compare-and-set): {@code TAT -> max(TAT, now) + cost}, only when the new debt is at
 * most {@code S}; a rejection writes nothing.</li>
 * <li>retire: {@code TAT -> RETIRED}, when a full bucket is evicted (compare-and-set, so only if
 * no take came first) or a bucket is reset.</li>
 * <li>move: {@code TAT -> MOVED}, when the table copies the word to a new array.</li>
 * </ul>
 * {@code RETIRED} and {@code MOVED} are final for that array slot. A take that loses a race to a
 * retire or move sees the sentinel and looks the bucket up again, so no token is ever taken from
 * a bucket after it was dropped or copied.
 * <p>
 * Overflow: times lie within +/-(2^61 - 1) and spans are at most 2^62, so {@code TAT - now} is
 * at most 2^63 - 2. The rejection test {@code debt > S - cost} cannot overflow, and a take only
 * adds when the result is at most {@code now + S}. No outcome of a take can equal a sentinel.
 */
final class Gcra {

    /** The word of a bucket that was dropped. */
    static final long RETIRED = Long.MIN_VALUE;

    /** The word of a bucket that was copied to a new array. */
    static final long MOVED = Long.MIN_VALUE + 1;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private Gcra() {
    }

    /**
     * Takes {@code cost} nanoseconds worth of tokens from {@code words[index]} if it has them.
     *
     * @return the debt after taking ({@code > 0}) when allowed; minus the wait until the tokens
     *         are there ({@code < 0}) when rejected; {@link #RETIRED} or {@link #MOVED} when the
     *         word is no longer the bucket
     */
    static long take(long[] words, int index, long now, long cost, long span) {
        for (;;) {
            // Acquire, not plain: the read must not be hoisted out of the retry loop.
            long tat = (long) WORDS.getAcquire(words, index);
            if (tat == RETIRED || tat == MOVED) {
                return tat;
            }
            long debt = Math.max(tat - now, 0);
            long headroom = span - cost;
            if (debt > headroom) {
                return -(debt - headroom);
            }
            if (WORDS.compareAndSet(words, index, tat, Math.max(tat, now) + cost)) {
                return debt + cost;
            }
            // Lost to another thread on the same bucket: pause briefly so that two threads on
            // one hot key do not keep stealing the cache line from each other.
            Thread.onSpinWait();
        }
    }

    static long read(long[] words, int index) {
        return (long) WORDS.getAcquire(words, index);
    }

    /**
     * Retires the word if its bucket is full at {@code now}, unless a take changes it first.
     *
     * @return whether this call retired it
     */
    static boolean retireIfFull(long[] words, int index, long now) {
        long tat = (long) WORDS.getAcquire(words, index);
        return tat != RETIRED && tat != MOVED && tat <= now && WORDS.compareAndSet(words, index, tat, RETIRED);
    }

    /**
     * Sets the word to {@code sentinel} and returns what it held.
     */
    static long replace(long[] words, int index, long sentinel) {
        return (long) WORDS.getAndSet(words, index, sentinel);
    }
}
