package io.crossbridge.hardening.circuitbreaker;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The calls of the last {@code seconds} seconds, in one bucket per second. A bucket found holding
 * an older second is cleared by the first call of the new second (one compare-and-set); a call of
 * that same second racing the clearing may be lost, which moves a rate by one call at most. Sums
 * stay exact in their 21-bit fields up to about two million calls per window.
 */
final class TimeWindow implements OutcomeWindow {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int seconds;

    /** Per bucket: the second it holds. */
    private final AtomicLongArray epochs;

    /** Per bucket: packed counts, calls, failed, slow (21 bits each). */
    private final AtomicLongArray counts;

    TimeWindow(int seconds) {
        this.seconds = seconds;
        this.epochs = new AtomicLongArray(seconds);
        this.counts = new AtomicLongArray(seconds);
        for (int i = 0; i < seconds; i++) {
            epochs.set(i, Long.MIN_VALUE);
        }
    }

    @Override
    public long record(int outcome, long nowNanos) {
        long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
        int bucket = (int) Math.floorMod(second, (long) seconds);
        long held = epochs.get(bucket);
        if (held != second && epochs.compareAndSet(bucket, held, second)) {
            counts.set(bucket, 0);
        }
        counts.addAndGet(bucket, OutcomeWindow.packed(outcome));
        return total(second);
    }

    @Override
    public Counts counts(long nowNanos) {
        return Counts.unpack(total(Math.floorDiv(nowNanos, NANOS_PER_SECOND)));
    }

    /**
     * Sums the buckets of the window ending at {@code now}: one pass over {@code seconds}
     * buckets, which is the cost of a time window per call.
     */
    private long total(long now) {
        long total = 0;
        for (int i = 0; i < seconds; i++) {
            long second = epochs.get(i);
            if (second > now - seconds && second <= now) {
                total += counts.get(i);
            }
        }
        return total;
    }
}
