package io.crossbridge.hardening.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One token bucket, kept as a single {@code long}: GCRA's theoretical arrival time (TAT).
 *
 * <h2>Representation</h2>
 * Times are nanoseconds on the limiter's own time line (see {@link InMemoryRateLimiter}), which
 * stays within +/-(2^61 - 1). A request of {@code n} tokens costs {@code n * I} nanoseconds, where
 * {@code I} is the limit's {@link RateLimit#nanosPerToken()}; the bucket's span {@code S =
 * capacity * I} is the time an empty bucket takes to refill. At time {@code now} the bucket owes
 * {@code debt = max(0, TAT - now)} nanoseconds and holds {@code (S - debt) / I} tokens, so
 * {@code TAT <= now} means full: a full bucket is indistinguishable from a new one.
 *
 * <h2>Protocol</h2>
 * The word moves only by compare-and-set, along two transitions:
 * <ul>
 * <li>take: {@code TAT -> max(TAT, now) + cost}, only when the new debt is at most {@code S};
 * a rejection writes nothing.</li>
 * <li>retire: {@code TAT -> RETIRED}, for eviction only when the bucket is full, for a reset
 * unconditionally. {@code RETIRED} is final.</li>
 * </ul>
 * Because a take and a retire race on the same word, a token can never be taken from a bucket
 * after it was dropped: the loser of the race sees the change and, for a take, looks the bucket
 * up again and finds (or makes) its successor. The thread whose transition retired the bucket
 * removes it from its table and frees its slot, exactly once.
 * <p>
 * Overflow: times lie within +/-(2^61 - 1) and spans are at most 2^62, so {@code TAT - now} is
 * at most 2^63 - 2. The rejection test {@code debt > S - cost} cannot overflow, and a take only
 * adds when the result is at most {@code now + S}.
 */
final class Bucket {

    /** The value of a bucket that has been dropped from its table. */
    static final long RETIRED = Long.MIN_VALUE;

    private static final VarHandle TAT;

    static {
        try {
            TAT = MethodHandles.lookup().findVarHandle(Bucket.class, "tat", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Accessed through {@link #TAT}; plainly written only before the bucket is published. */
    @SuppressWarnings("unused")
    private long tat;

    Bucket(long tat) {
        this.tat = tat;
    }

    /**
     * Takes {@code cost} nanoseconds worth of tokens if the bucket has them.
     *
     * @return the debt after taking ({@code > 0}) when allowed; minus the wait until the tokens
     *         are there ({@code < 0}) when rejected; {@link #RETIRED} when the bucket is gone
     */
    long take(long now, long cost, long span) {
        for (;;) {
            // Acquire, not plain: the read must not be hoisted out of the retry loop.
            long current = (long) TAT.getAcquire(this);
            if (current == RETIRED) {
                return RETIRED;
            }
            long debt = Math.max(current - now, 0);
            long headroom = span - cost;
            if (debt > headroom) {
                return -(debt - headroom);
            }
            long next = Math.max(current, now) + cost;
            if (TAT.compareAndSet(this, current, next)) {
                return debt + cost;
            }
        }
    }

    /**
     * Returns the theoretical arrival time, or {@link #RETIRED}.
     */
    long theoreticalArrival() {
        return (long) TAT.getAcquire(this);
    }

    /**
     * Retires the bucket if it is full at {@code now}.
     *
     * @return whether this call retired it
     */
    boolean retireIfFull(long now) {
        long current = (long) TAT.getAcquire(this);
        return current != RETIRED && current <= now && TAT.compareAndSet(this, current, RETIRED);
    }

    /**
     * Retires the bucket whatever it holds.
     *
     * @return whether this call retired it (false when it was already retired)
     */
    boolean retire() {
        return (long) TAT.getAndSet(this, RETIRED) != RETIRED;
    }
}
