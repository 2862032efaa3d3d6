package io.crossbridge.hardening.circuitbreaker;

/**
 * Hears every state change of a circuit breaker: the hook for logs, alerts and metrics.
 */
@FunctionalInterface
public interface CircuitBreakerListener {

    /** Called once per change, on the thread that caused it. */
    void onStateChange(String name, CircuitState from, CircuitState to);
}
