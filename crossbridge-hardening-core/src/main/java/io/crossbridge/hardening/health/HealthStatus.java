package io.crossbridge.hardening.health;

/**
 * How a provider is doing, from best to worst.
 */
public enum HealthStatus {

    /** Working as expected. */
    HEALTHY,

    /** Working, but slow or failing now and then: callers should expect trouble. */
    DEGRADED,

    /** Not working. */
    UNHEALTHY;

    /**
     * Returns the worse of this status and {@code other}.
     */
    public HealthStatus worst(HealthStatus other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
