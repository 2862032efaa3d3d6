package io.crossbridge.hardening.circuitbreaker;

/**
 * The calls of the last {@code seconds} seconds, in one bucket per second, with running totals:
 * a call adds to its second's bucket and to the totals, and a bucket is subtracted from the
 * totals and cleared when its second leaves the window, so no call sums the buckets. Totals are
 * {@code long}s, exact however many calls a window holds.
 * <p>
 * Guarded by this object's monitor: a time window reads the clock on every call anyway, and the
 * lock makes the move to a new second (clearing buckets) one step with the call that causes it,
 * so no reader ever sees a cleared second's calls counted, or a new second's calls lost. A call
 * whose clock reading is behind the newest second seen (threads read the ticker at slightly
 * different moments) counts in the newest second.
 */
final class TimeWindow implements OutcomeWindow {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int seconds;

    private final long[] calls;

    private final long[] failed;

    private final long[] slow;

    /** The newest second counted; the window holds it and the {@code seconds - 1} before it. */
    private long newest = Long.MIN_VALUE;

    private long totalCalls;

    private long totalFailed;

    private long totalSlow;

    TimeWindow(int seconds) {
        this.seconds = seconds;
        this.calls = new long[seconds];
        this.failed = new long[seconds];
        this.slow = new long[seconds];
    }

    @Override
    public synchronized long record(int outcome, long nowNanos) {
        int bucket = bucket(moveTo(Math.floorDiv(nowNanos, NANOS_PER_SECOND)));
        calls[bucket]++;
        totalCalls++;
        if ((outcome & FAILED) != 0) {
            failed[bucket]++;
            totalFailed++;
        }
        if ((outcome & SLOW) != 0) {
            slow[bucket]++;
            totalSlow++;
        }
        return packed();
    }

    @Override
    public synchronized Counts counts(long nowNanos) {
        moveTo(Math.floorDiv(nowNanos, NANOS_PER_SECOND));
        return new Counts(clamp(totalCalls), clamp(totalFailed), clamp(totalSlow));
    }

    /** Makes {@code second} the newest one, dropping the seconds that leave the window; returns the newest. */
    private long moveTo(long second) {
        if (newest == Long.MIN_VALUE) {
            newest = second;
        }
        else if (second > newest) {
            long leaving = Math.min(second - newest, seconds);
            for (long s = newest + 1; s <= newest + leaving; s++) {
                int bucket = bucket(s);
                totalCalls -= calls[bucket];
                totalFailed -= failed[bucket];
                totalSlow -= slow[bucket];
                calls[bucket] = 0;
                failed[bucket] = 0;
                slow[bucket] = 0;
            }
            newest = second;
        }
        return newest;
    }

    private int bucket(long second) {
        return (int) Math.floorMod(second, (long) seconds);
    }

    /**
     * The totals packed for the breaker's threshold check. Past 2^21 - 1 calls they are halved
     * together until they fit: the rates, all the check reads, stay as they were, and the calls
     * stay far above any minimum.
     */
    private long packed() {
        long c = totalCalls;
        long f = totalFailed;
        long s = totalSlow;
        while (c > MASK) {
            c >>>= 1;
            f >>>= 1;
            s >>>= 1;
        }
        return c | (f << BITS) | (s << (2 * BITS));
    }

    private static int clamp(long count) {
        return (int) Math.min(count, Integer.MAX_VALUE);
    }
}
