package io.crossbridge.hardening.health;

/**
 * Hears every change of a check's status, the hook for logs and alerts so that degradation is
 * never silent, and optionally every result.
 */
@FunctionalInterface
public interface HealthListener {

    /** A listener that does nothing. */
    HealthListener NONE = (name, previous, current) -> {
    };

    /**
     * Called when check {@code name} moves from {@code previous} to {@code current}; after the
     * first run of a check, {@code previous} is {@code null}.
     */
    void onStatusChange(String name, HealthStatus previous, HealthStatus current);

    /**
     * Called after every run of check {@code name}, timed out ones included, with its judged
     * result: the hook for timers.
     */
    default void onResult(String name, HealthResult result) {
    }
}
