package io.crossbridge.hardening.concurrency;

/**
 * When an adaptive limit last cut itself, so that calls let in before the cut, which queued under
 * the old limit, do not cut it again: one excess is answered once. Time is the latest end of a
 * call seen, in the limiter's ticker readings; not thread-safe (the algorithms hold their lock).
 */
final class LastCut {

    private boolean seenAny;

    private long latestEnd;

    private boolean cut;

    private long cutAt;

    /** Takes note of a call that took its permit at {@code startNanos} and held it {@code rttNanos}. */
    void ended(long startNanos, long rttNanos) {
        long end = startNanos + rttNanos;
        if (!seenAny || end - latestEnd > 0) {
            latestEnd = end;
            seenAny = true;
        }
    }

    /** The limit was cut now, at the latest end seen. */
    void cut() {
        cut = true;
        cutAt = latestEnd;
    }

    /** Whether a call that took its permit at {@code startNanos} was let in before the last cut. */
    boolean before(long startNanos) {
        return cut && startNanos - cutAt < 0;
    }
}
