package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthResult;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One {@code HealthCheck} as an Actuator health indicator. It shows the registry's last result,
 * so reading {@code /actuator/health} never calls a provider; only a check with no result yet is
 * run inline, within the check timeout, and one whose first run monitoring already started shows
 * {@code UNKNOWN} instead of waiting for it.
 */
final class HealthCheckIndicator implements HealthIndicator {

    /** A check that works but is slow or failing below the threshold. */
    static final Status DEGRADED = new Status("DEGRADED", "Working, but slow or failing");

    private final HealthRegistry registry;

    private final String name;

    HealthCheckIndicator(HealthRegistry registry, String name) {
        this.registry = registry;
        this.name = name;
    }

    @Override
    public Health health() {
        return registry.lastOrFirstRun(name).map(HealthCheckIndicator::toHealth)
                .orElseGet(() -> Health.unknown().withDetail("message", "first check still running").build());
    }

    /** Details as plain strings and numbers; the result has already masked anything secret. */
    static Health toHealth(HealthResult result) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (result.message() != null) {
            details.put("message", result.message());
        }
        details.put("duration", result.duration().toString());
        if (result.checkedAt() != null) {
            details.put("checkedAt", result.checkedAt().toString());
        }
        details.put("consecutiveFailures", result.consecutiveFailures());
        if (result.errorType() != null) {
            details.put("error", result.errorType());
        }
        if (result.stale()) {
            details.put("stale", true);
        }
        result.details().forEach(details::putIfAbsent);
        return Health.status(statusOf(result)).withDetails(details).build();
    }

    private static Status statusOf(HealthResult result) {
        return switch (result.status()) {
            case HEALTHY -> Status.UP;
            case DEGRADED -> DEGRADED;
            case UNHEALTHY -> Status.DOWN;
        };
    }
}
