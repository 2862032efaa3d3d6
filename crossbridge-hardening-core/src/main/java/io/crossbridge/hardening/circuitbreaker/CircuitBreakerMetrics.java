package io.crossbridge.hardening.circuitbreaker;

/**
 * A snapshot of one circuit breaker.
 *
 * @param state        where it stands
 * @param failureRate  failed calls in the window, in percent, or -1 below the minimum number of calls
 * @param slowCallRate slow calls in the window, in percent, or -1 below the minimum number of calls
 * @param calls        calls in the window
 * @param failedCalls  failed calls in the window
 * @param slowCalls    slow calls in the window
 * @param notPermitted calls refused since the breaker was created
 */
public record CircuitBreakerMetrics(CircuitState state, float failureRate, float slowCallRate, int calls,
        int failedCalls, int slowCalls, long notPermitted) {
}
