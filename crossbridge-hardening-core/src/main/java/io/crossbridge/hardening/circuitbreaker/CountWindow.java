package io.crossbridge.hardening.circuitbreaker;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code size} calls, in a ring: each call takes the next slot by one atomic increment
 * and swaps its outcome in, then corrects the running counts by what it replaced. No lock, and
 * nothing allocated per call; a success while every call in the ring succeeded writes nothing.
 */
final class CountWindow implements OutcomeWindow {

    /** Slot marker of a recorded call, so an empty slot and a success differ. */
    private static final int RECORDED = 4;

    private final int size;

    private final AtomicIntegerArray slots;

    private final AtomicLong next = new AtomicLong();

    /** Packed counts, so a reader sees one consistent triple: calls, failed, slow (21 bits each). */
    private final AtomicLong counts = new AtomicLong();

    CountWindow(int size) {
        this.size = size;
        this.slots = new AtomicIntegerArray(size);
    }

    @Override
    public long record(int outcome, long nowNanos) {
        if (outcome == 0 && counts.get() == size) {
            // A full ring of successes stays one when a success replaces the oldest call: nothing
            // to write, which keeps a healthy provider's calls down to one read here.
            return size;
        }
        int slot = (int) Long.remainderUnsigned(next.getAndIncrement(), size);
        int previous = slots.getAndSet(slot, outcome | RECORDED);
        long delta = OutcomeWindow.packed(outcome) - ((previous & RECORDED) != 0 ? OutcomeWindow.packed(previous) : 0);
        return counts.addAndGet(delta);
    }

    @Override
    public Counts counts(long nowNanos) {
        return Counts.unpack(counts.get());
    }
}
