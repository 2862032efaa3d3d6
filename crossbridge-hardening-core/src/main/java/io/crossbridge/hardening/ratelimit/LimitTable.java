package io.crossbridge.hardening.ratelimit;

import java.util.concurrent.atomic.LongAdder;

/**
 * The buckets and counters of one limit name.
 */
final class LimitTable {

    final BucketTable buckets = new BucketTable();

    final LongAdder allowed = new LongAdder();

    final LongAdder rejected = new LongAdder();

    /** The last limit seen under this name, with its derived costs: callers pass one constant. */
    private volatile LimitSpec spec;

    LimitTable(RateLimit limit) {
        this.spec = new LimitSpec(limit);
    }

    LimitSpec spec(RateLimit limit) {
        LimitSpec current = spec;
        if (current.limit() == limit || current.limit().equals(limit)) {
            return current;
        }
        LimitSpec changed = new LimitSpec(limit);
        spec = changed;
        return changed;
    }

    RateLimiterStats.LimitStats stats() {
        return new RateLimiterStats.LimitStats(buckets.size(), allowed.sum(), rejected.sum());
    }

    /**
     * A limit with its per-token cost and span computed once, off the hot path.
     */
    record LimitSpec(RateLimit limit, long nanosPerToken, long span) {

        LimitSpec(RateLimit limit) {
            this(limit, limit.nanosPerToken(), limit.refillNanos());
        }
    }
}
