package io.crossbridge.hardening.health;

import io.crossbridge.hardening.Ticker;

import java.time.Duration;
import java.util.Map;

/**
 * Runs a probe and judges its latency: healthy when quick, degraded when slower than the
 * threshold; a probe that throws makes the check fail, and the registry reports it.
 */
final class TimedProbe {

    private final String subject;

    private final Probe probe;

    private final Duration degradedAbove;

    private final Ticker ticker;

    private final Map<String, Object> details;

    TimedProbe(String subject, Probe probe, Duration degradedAbove, Ticker ticker, Map<String, Object> details) {
        if (probe == null) {
            throw new IllegalArgumentException("probe must not be null");
        }
        if (degradedAbove == null || degradedAbove.isNegative() || degradedAbove.isZero()) {
            throw new IllegalArgumentException("degradedAbove must be positive, was " + degradedAbove);
        }
        if (ticker == null) {
            throw new IllegalArgumentException("ticker must not be null");
        }
        this.subject = subject;
        this.probe = probe;
        this.degradedAbove = degradedAbove;
        this.ticker = ticker;
        this.details = details;
    }

    HealthResult run() throws Exception {
        long start = ticker.read();
        probe.run();
        Duration latency = Duration.ofNanos(ticker.read() - start);
        HealthResult result = latency.compareTo(degradedAbove) > 0
                ? HealthResult.degraded(subject + " is slow: answered in " + millis(latency) + ", above "
                        + millis(degradedAbove))
                : HealthResult.healthy(subject + " answered in " + millis(latency));
        for (Map.Entry<String, Object> detail : details.entrySet()) {
            result = result.withDetail(detail.getKey(), detail.getValue());
        }
        return result.withDetail("latencyMs", latency.toMillis());
    }

    static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be null or blank");
        }
        return value;
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }
}
