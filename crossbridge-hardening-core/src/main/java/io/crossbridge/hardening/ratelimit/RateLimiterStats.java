package io.crossbridge.hardening.ratelimit;

import java.util.Map;

/**
 * A snapshot of a rate limiter's counters. Keys never appear here.
 *
 * @param activeBuckets     buckets held now, over all limits
 * @param evictions         buckets dropped because they had refilled completely
 * @param rejectedAtMaxKeys requests rejected because the limiter held its maximum number of
 *                          buckets and none of them could be dropped
 * @param limits            per limit name: its counters
 */
public record RateLimiterStats(long activeBuckets, long evictions, long rejectedAtMaxKeys,
        Map<String, LimitStats> limits) {

    public RateLimiterStats {
        limits = Map.copyOf(limits);
    }

    /**
     * The counters of one limit.
     *
     * @param activeBuckets buckets of this limit held now
     * @param allowed       requests allowed since the limiter was created
     * @param rejected      requests rejected since the limiter was created, those without a key
     *                      included
     */
    public record LimitStats(long activeBuckets, long allowed, long rejected) {
    }
}
