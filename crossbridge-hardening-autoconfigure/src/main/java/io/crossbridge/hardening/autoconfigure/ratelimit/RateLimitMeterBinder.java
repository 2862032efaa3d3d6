package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiterStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code crossbridge.ratelimit.requests} (tags {@code limit}, {@code outcome} = {@code allowed} or
 * {@code rejected}) for every named limit, and the {@code crossbridge.ratelimit.buckets} gauge.
 * Read from the limiter's own counters when the registry polls, so a request pays nothing for
 * them, and every use of the limiter counts, annotated or not. Keys are never tags.
 */
final class RateLimitMeterBinder implements MeterBinder {

    private final RateLimiter limiter;

    private final RateLimitCatalog catalog;

    RateLimitMeterBinder(RateLimiter limiter, RateLimitCatalog catalog) {
        this.limiter = limiter;
        this.catalog = catalog;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String name : catalog.names()) {
            requests(registry, name, "allowed");
            requests(registry, name, "rejected");
        }
        Gauge.builder("crossbridge.ratelimit.buckets", limiter, l -> l.stats().activeBuckets())
                .description("Buckets held, over all limits").register(registry);
    }

    private void requests(MeterRegistry registry, String name, String outcome) {
        FunctionCounter.builder("crossbridge.ratelimit.requests", limiter, l -> count(l.stats(), name, outcome))
                .description("Rate-limited requests, by outcome").tag("limit", name).tag("outcome", outcome)
                .register(registry);
    }

    private static double count(RateLimiterStats stats, String name, String outcome) {
        RateLimiterStats.LimitStats limit = stats.limits().get(name);
        if (limit == null) {
            return 0;
        }
        return outcome.equals("allowed") ? limit.allowed() : limit.rejected();
    }
}
