package io.crossbridge.hardening.concurrency;

import java.time.Duration;

/**
 * Additive increase, multiplicative decrease: the limit grows by one for each limit's worth of
 * calls that ended in time while the limit was in use (at least half of it in flight), as TCP
 * grows its window by one a round trip, and is multiplied by the back-off ratio when a call ends
 * overloaded (a 429 or 503, a {@code Retry-After}) or takes longer than the timeout. Calls that
 * took their permit before the last decrease do not decrease it again: they were let in under the
 * old limit, and one excess is answered once. It reacts to no other sign of load, so it suits a
 * provider that says when it is overloaded; {@link GradientLimit} also reads rising latency.
 * <p>
 * Netflix's AIMDLimit grows by one a call instead, which doubles the limit every round trip, and
 * backs off once per overloaded call, however many were let in together.
 */
public final class AimdLimit implements LimitAlgorithm {

    /** The default multiplier on an overload. */
    public static final double DEFAULT_BACKOFF_RATIO = 0.9;

    private final int initial;

    private final int min;

    private final int max;

    private final double backoffRatio;

    private final long timeoutNanos;

    private int limit;

    /** Calls in time since the limit last grew. */
    private int inTime;

    private final LastCut lastCut = new LastCut();

    /**
     * @param timeout a call that held its permit longer counts as an overload
     * @throws IllegalArgumentException naming the argument out of range
     */
    public AimdLimit(int initial, int min, int max, double backoffRatio, Duration timeout) {
        Bounds.check(initial, min, max);
        if (!(backoffRatio >= 0.5 && backoffRatio < 1)) {
            throw new IllegalArgumentException("backoffRatio must be in [0.5, 1), was " + backoffRatio);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.initial = initial;
        this.min = min;
        this.max = max;
        this.backoffRatio = backoffRatio;
        this.timeoutNanos = timeout.toNanos();
        this.limit = initial;
    }

    @Override
    public int initialLimit() {
        return initial;
    }

    @Override
    public synchronized int update(long startNanos, long rttNanos, int inFlight, boolean overloaded) {
        lastCut.ended(startNanos, rttNanos);
        if (overloaded || rttNanos > timeoutNanos) {
            if (!lastCut.before(startNanos)) {
                limit = Math.max(min, (int) (limit * backoffRatio));
                inTime = 0;
                lastCut.cut();
            }
        }
        else if (inFlight * 2 >= limit && ++inTime >= limit) {
            limit = Math.min(max, limit + 1);
            inTime = 0;
        }
        return limit;
    }
}
