package io.crossbridge.hardening.concurrency;

/**
 * A limit that follows the provider's latency: it grows while calls take about as long as they
 * do unloaded, and shrinks in proportion when they take longer, since calls queueing at the
 * provider show as latency before they show as errors.
 * <p>
 * Calls are judged in windows of about one limit's worth of ended calls (at least
 * {@value #MIN_WINDOW}), each window's mean latency against the <em>baseline</em>, the least
 * window mean seen: the latency of the provider with no queue.
 * <ul>
 * <li>mean within {@code tolerance} times the baseline, with at least half the limit in use: the
 * limit grows, by up to its square root, less the closer the mean is to the tolerance, and at
 * most by the factor {@code tolerance / (mean / baseline)};
 * <li>mean above it: the limit is multiplied by {@code tolerance / (mean / baseline)}, at least by
 * one half;
 * <li>an overload in the window (a 429 or 503, a timeout): the limit is multiplied by
 * {@value #OVERLOAD_RATIO}; overloaded calls are left out of the mean, since a refusal is often
 * faster than an answer.
 * </ul>
 * After a decrease, calls that took their permit before the latest end seen then are left out of
 * the windows: they queued under the old limit, and counting them would shrink the limit twice
 * for one excess.
 * <p>
 * The baseline only falls, so that a limit held near the provider's capacity for hours keeps
 * comparing with the unloaded latency (a baseline that followed the latency would rise with the
 * queue the limit lets in, and the limit with it). A provider that becomes slower for everyone
 * is told from one this limit overloads by what shrinking does: when, in one run of windows
 * above the tolerance, the limit has been cut to half (or to {@code min}) and the mean latency
 * has not fallen below {@value #STALE_FALL} of what it was when the run began, the latency is the
 * provider's own, and becomes the baseline.
 * <p>
 * Netflix's Gradient2 compares each latency with a long-term average instead. Under sustained
 * overload that average rises with the queue, so its limit settles where latency is well above
 * the unloaded one.
 */
public final class GradientLimit implements LimitAlgorithm {

    /** The default latency ratio to the baseline within which a provider counts as unloaded. */
    public static final double DEFAULT_TOLERANCE = 1.1;

    static final int MIN_WINDOW = 10;

    static final double OVERLOAD_RATIO = 0.9;

    static final double STALE_FALL = 0.8;

    private final int initial;

    private final int min;

    private final int max;

    private final double tolerance;

    private double limit;

    private double baseline = Double.NaN;

    private long windowSumNanos;

    private int windowCount;

    /** The window's calls whose latency counts: not the overloaded ones. */
    private int windowTimed;

    private int windowMostInFlight;

    private boolean windowOverloaded;

    /** Calls let in before the last decrease are left out; see above. */
    private final LastCut lastCut = new LastCut();

    /** The limit and the mean latency when the current run of windows above the tolerance began. */
    private double limitWhenAbove = Double.NaN;

    private double meanWhenAbove;

    public GradientLimit(int initial, int min, int max) {
        this(initial, min, max, DEFAULT_TOLERANCE);
    }

    /**
     * @throws IllegalArgumentException naming the argument out of range
     */
    public GradientLimit(int initial, int min, int max, double tolerance) {
        Bounds.check(initial, min, max);
        if (!(tolerance > 1 && tolerance <= 3)) {
            throw new IllegalArgumentException("tolerance must be in (1, 3], was " + tolerance);
        }
        this.initial = initial;
        this.min = min;
        this.max = max;
        this.tolerance = tolerance;
        this.limit = initial;
    }

    @Override
    public int initialLimit() {
        return initial;
    }

    @Override
    public synchronized int update(long startNanos, long rttNanos, int inFlight, boolean overloaded) {
        lastCut.ended(startNanos, rttNanos);
        // A latency of 0 or less says nothing (a coarse or stepped clock), and would make a
        // baseline of 0 that every later latency divides by.
        if (rttNanos <= 0 || lastCut.before(startNanos)) {
            return (int) limit;
        }
        windowCount++;
        windowMostInFlight = Math.max(windowMostInFlight, inFlight);
        if (overloaded) {
            // A refusal is often fast: its latency would pull the baseline down.
            windowOverloaded = true;
        }
        else {
            windowSumNanos += rttNanos;
            windowTimed++;
        }
        if (windowCount >= Math.max(MIN_WINDOW, (int) limit)) {
            endWindow(windowTimed == 0 ? Double.NaN : (double) windowSumNanos / windowTimed);
            windowSumNanos = 0;
            windowCount = 0;
            windowTimed = 0;
            windowMostInFlight = 0;
            windowOverloaded = false;
        }
        return (int) limit;
    }

    /** Ends a window of mean latency {@code mean}, NaN when every call in it was overloaded. */
    private void endWindow(double mean) {
        if (Double.isNaN(mean)) {
            decrease(OVERLOAD_RATIO);
            return;
        }
        if (Double.isNaN(baseline) || mean < baseline) {
            baseline = mean;
        }
        double ratio = mean / baseline;
        if (ratio <= tolerance) {
            limitWhenAbove = Double.NaN;
        }
        else if (Double.isNaN(limitWhenAbove)) {
            limitWhenAbove = limit;
            meanWhenAbove = mean;
        }
        else if ((limit <= limitWhenAbove / 2 || limit <= min) && mean >= STALE_FALL * meanWhenAbove) {
            baseline = mean;
            ratio = 1;
            limitWhenAbove = Double.NaN;
        }
        if (windowOverloaded) {
            decrease(OVERLOAD_RATIO);
        }
        else if (ratio > tolerance) {
            decrease(Math.max(0.5, tolerance / ratio));
        }
        else if (windowMostInFlight * 2 >= limit) {
            // No further than where the latency would reach the tolerance if the provider were
            // already queueing, latency growing with the calls in flight: near the knee, steps
            // of a square root would overshoot it.
            double headroom = Math.min(1, (tolerance - ratio) / (tolerance - 1));
            limit = Math.min(max, Math.min(limit + headroom * Math.sqrt(limit), limit * tolerance / ratio));
        }
    }

    private void decrease(double factor) {
        limit = Math.max(min, limit * factor);
        lastCut.cut();
    }
}
