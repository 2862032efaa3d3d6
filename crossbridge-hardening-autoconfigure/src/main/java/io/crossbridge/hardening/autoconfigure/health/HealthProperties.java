package io.crossbridge.hardening.autoconfigure.health;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Health check settings, under {@code crossbridge.hardening.health}.
 */
@ConfigurationProperties("crossbridge.hardening.health")
public class HealthProperties {

    /**
     * Whether to run the HealthCheck beans and show them in /actuator/health.
     */
    private boolean enabled = true;

    /**
     * Time between two rounds of checks; readers of /actuator/health see the last round's results.
     */
    private Duration interval = Duration.ofSeconds(30);

    /**
     * Longest a check may take before it counts as failed: more than 0, at most 1 hour.
     */
    private Duration timeout = Duration.ofSeconds(5);

    /**
     * Failed runs in a row that make a check DOWN; fewer show it as DEGRADED. At least 1.
     */
    private int failureThreshold = 3;

    /**
     * Threads kept to run checks in parallel, 1 to 64; the pool grows to one thread per check, so a
     * hung check never holds up another.
     */
    private int threads = 4;

    /**
     * Whether the checks also decide readiness (the readiness health group). Off by default: every
     * instance shares the same provider, so taking them all out of rotation turns a degraded
     * service into an outage.
     */
    private boolean readiness = false;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getInterval() {
        return interval;
    }

    public void setInterval(Duration interval) {
        this.interval = interval;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public int getFailureThreshold() {
        return failureThreshold;
    }

    public void setFailureThreshold(int failureThreshold) {
        this.failureThreshold = failureThreshold;
    }

    public int getThreads() {
        return threads;
    }

    public void setThreads(int threads) {
        this.threads = threads;
    }

    public boolean isReadiness() {
        return readiness;
    }

    public void setReadiness(boolean readiness) {
        this.readiness = readiness;
    }
}
