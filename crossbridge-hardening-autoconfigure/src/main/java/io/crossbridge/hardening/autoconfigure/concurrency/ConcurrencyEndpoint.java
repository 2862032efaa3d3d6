package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/concurrency}: every concurrency limit with its current limit, calls in flight
 * and waiting, and its settings; one limit by name.
 */
@Endpoint(id = "concurrency", defaultAccess = Access.READ_ONLY)
public class ConcurrencyEndpoint {

    private final ConcurrencyLimitCatalog catalog;

    public ConcurrencyEndpoint(ConcurrencyLimitCatalog catalog) {
        this.catalog = catalog;
    }

    @ReadOperation
    public Map<String, LimitDescriptor> limits() {
        Map<String, LimitDescriptor> limits = new LinkedHashMap<>();
        catalog.all().forEach(limit -> limits.put(limit.name(), describe(limit)));
        return limits;
    }

    /** One limit, or {@code null} (a 404) when none has that name. */
    @ReadOperation
    public LimitDescriptor limit(@Selector String name) {
        return catalog.find(name).map(ConcurrencyEndpoint::describe).orElse(null);
    }

    private static LimitDescriptor describe(NamedConcurrencyLimit limit) {
        ConcurrencyLimiter limiter = limit.limiter();
        ConcurrencyProperties.Limit settings = limit.settings();
        boolean adaptive = settings.isAdaptive();
        return new LimitDescriptor(limiter.limit(), limiter.inFlight(), limiter.waiting(), limit.keyed().keys(),
                limit.keyed().inFlight(), settings.getMaxConcurrent(), settings.getMaxWait().toString(), adaptive,
                adaptive ? settings.getAlgorithm().name().toLowerCase(Locale.ROOT) : null, adaptive ? settings.getMin() : null,
                adaptive ? settings.getMax() : null);
    }

    /**
     * One limit: how many calls it lets in flight now, holds and keeps waiting (over all calls
     * without a key), the keys with calls and their calls in flight (for methods with a key), then
     * its settings; durations in ISO-8601, the adaptive settings only for an adaptive limit.
     */
    public record LimitDescriptor(int limit, int inFlight, int waiting, int keys, int keyedInFlight, int maxConcurrent,
            String maxWait, boolean adaptive, String algorithm, Integer min, Integer max) {
    }
}
