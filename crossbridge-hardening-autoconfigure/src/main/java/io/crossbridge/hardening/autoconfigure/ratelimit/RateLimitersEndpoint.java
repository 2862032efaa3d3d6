package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiterStats;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/ratelimiters}: every named limit with its settings and counters, one limit by
 * name, and a write operation that resets one key's bucket. Read-only unless the application
 * sets {@code management.endpoint.ratelimiters.access: unrestricted}; like every endpoint but
 * health, it is off the web until exposed. Keys never appear in an answer.
 */
@Endpoint(id = "ratelimiters", defaultAccess = Access.READ_ONLY)
public class RateLimitersEndpoint {

    private final RateLimiter limiter;

    private final RateLimitCatalog catalog;

    public RateLimitersEndpoint(RateLimiter limiter, RateLimitCatalog catalog) {
        this.limiter = limiter;
        this.catalog = catalog;
    }

    @ReadOperation
    public RateLimitersDescriptor rateLimiters() {
        RateLimiterStats stats = limiter.stats();
        Map<String, LimitDescriptor> limits = new LinkedHashMap<>();
        for (String name : catalog.names()) {
            limits.put(name, describe(catalog.get(name), stats));
        }
        return new RateLimitersDescriptor(stats.activeBuckets(), stats.evictions(), stats.rejectedAtMaxKeys(), limits);
    }

    /**
     * Returns one limit, or {@code null} (a 404) when none has that name.
     */
    @ReadOperation
    public LimitDescriptor rateLimiter(@Selector String limit) {
        return catalog.find(limit).map(found -> describe(found, limiter.stats())).orElse(null);
    }

    /**
     * Refills one key's bucket of a limit, as if the key had never called, and returns the limit.
     * An unknown limit or a blank key is a 400 that says which.
     */
    @WriteOperation
    public LimitDescriptor reset(@Selector String limit, String key) {
        RateLimit found = catalog.find(limit).orElseThrow(() -> new InvalidEndpointRequestException(
                "No rate limit named '" + limit + "'; configured: " + catalog.names(), "unknown rate limit"));
        if (key.isBlank()) {
            throw new InvalidEndpointRequestException("The key to reset must not be blank", "blank key");
        }
        limiter.reset(key, found);
        return describe(found, limiter.stats());
    }

    private static LimitDescriptor describe(RateLimit limit, RateLimiterStats stats) {
        RateLimiterStats.LimitStats counters = stats.limits().getOrDefault(limit.name(),
                new RateLimiterStats.LimitStats(0, 0, 0));
        return new LimitDescriptor(limit.capacity(), limit.window().toString(), counters.activeBuckets(),
                counters.allowed(), counters.rejected());
    }

    /**
     * Every limit, and the limiter's totals.
     *
     * @param activeBuckets     buckets held now, over all limits
     * @param evictions         buckets dropped because they had refilled completely
     * @param rejectedAtMaxKeys calls rejected because the limiter held max-keys buckets
     * @param limits            by name
     */
    public record RateLimitersDescriptor(long activeBuckets, long evictions, long rejectedAtMaxKeys,
            Map<String, LimitDescriptor> limits) {
    }

    /**
     * One limit.
     *
     * @param capacity      tokens a full bucket holds
     * @param window        time an empty bucket takes to refill, ISO-8601
     * @param activeBuckets buckets of this limit held now
     * @param allowed       calls allowed since startup
     * @param rejected      calls rejected since startup, those without a key included
     */
    public record LimitDescriptor(long capacity, String window, long activeBuckets, long allowed, long rejected) {
    }
}
