package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthListener;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every check run as {@code crossbridge.health.check}, tagged with the check's bean name and
 * the judged status ({@code healthy}, {@code degraded}, {@code unhealthy}). Each timer is
 * registered once and kept.
 */
final class HealthCheckMeters implements HealthListener {

    private final MeterRegistry registry;

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    HealthCheckMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onStatusChange(String name, HealthStatus previous, HealthStatus current) {
    }

    @Override
    public void onResult(String name, HealthResult result) {
        String status = result.status().name().toLowerCase(Locale.ROOT);
        timers.computeIfAbsent(name + '\0' + status, key -> Timer.builder("crossbridge.health.check")
                .description("Health check runs, by judged status").tag("check", name).tag("status", status)
                .register(registry)).record(result.duration());
    }
}
