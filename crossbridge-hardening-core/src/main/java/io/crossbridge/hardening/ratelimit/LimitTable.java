package io.crossbridge.hardening.ratelimit;

import java.util.concurrent.atomic.LongAdder;

/**
 * The buckets and counters of one limit name.
 */
final class LimitTable {

    final BucketTable buckets = new BucketTable();

    final LongAdder allowed = new LongAdder();

    final LongAdder rejected = new LongAdder();

    /**
     * The last limit looked up under this name, with its derived costs: callers pass one
     * constant. Hits in the limiter's own cache of resolved limits do not come here.
     */
    private volatile LimitSpec spec;

    LimitTable(RateLimit limit) {
        this.spec = new LimitSpec(limit, this);
    }

    LimitSpec spec(RateLimit limit) {
        LimitSpec current = spec;
        if (current.limit() == limit || current.limit().equals(limit)) {
            return current;
        }
        LimitSpec changed = new LimitSpec(limit, this);
        spec = changed;
        return changed;
    }

    RateLimiterStats.LimitStats stats() {
        return new RateLimiterStats.LimitStats(buckets.size(), allowed.sum(), rejected.sum());
    }

    /**
     * A limit with its table, and its per-token cost and span computed once, off the hot path.
     */
    record LimitSpec(RateLimit limit, LimitTable table, long nanosPerToken, long span) {

        LimitSpec(RateLimit limit, LimitTable table) {
            this(limit, table, limit.nanosPerToken(), limit.refillNanos());
        }
    }
}
