package io.crossbridge.hardening.circuitbreaker;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code size} calls, in a ring: each call takes the next slot by one atomic increment
 * and swaps its outcome in, then corrects the running counts by what it replaced. No lock, and
 * nothing allocated per call; a success while every call in the ring succeeded writes nothing.
 * <p>
 * The counts are packed into one {@code long} (21 bits per field), so a field that went below
 * zero would borrow from the next and read as two million. A call therefore adds its own outcome
 * <em>before</em> it publishes it in the slot, and subtracts the outcome it replaced after: an
 * outcome is subtracted only by the one call that swapped it out of its slot, which happens
 * after its publication, which happens after its addition. So every subtraction finds its
 * addition already made, and no field ever goes below zero; a field can run ahead of the ring by
 * at most the calls still between their two steps, far below 2^21.
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
        long added = counts.addAndGet(OutcomeWindow.packed(outcome));
        int previous = slots.getAndSet(slot, outcome | RECORDED);
        return (previous & RECORDED) == 0 ? added : counts.addAndGet(-OutcomeWindow.packed(previous));
    }

    @Override
    public Counts counts(long nowNanos) {
        return Counts.unpack(counts.get());
    }
}
