package io.crossbridge.hardening.circuitbreaker;

import io.crossbridge.hardening.failure.FailureClassification;

import java.time.Duration;

/**
 * How a {@link CircuitBreaker} judges its calls.
 *
 * @param failureRateThreshold   percent of failed calls in the window at which it opens: (0, 100]
 * @param slowCallRateThreshold  percent of slow calls at which it opens: (0, 100]
 * @param slowCallDuration       a call at least this long is slow
 * @param windowType             whether the window holds the last {@code windowSize} calls or
 *                               the calls of the last {@code windowSize} seconds
 * @param windowSize             calls or seconds: 1 to 10,000
 * @param minimumCalls           calls the window needs before rates count: 1 to 10,000
 * @param waitInOpen             time it stays open before letting trial calls through
 * @param permittedCallsInHalfOpen trial calls: 1 to 1,000; their failure rate decides
 * @param maxWaitInHalfOpen      longest the circuit waits for its trials' outcomes; past it,
 *                               with trials unfinished, it opens again, so a trial that never
 *                               reports (a future that never completes) cannot hold it half-open
 * @param classification         judges failures as retries do: every failure it does not call
 *                               permanent counts against the provider (a validation error never
 *                               opens the circuit), and a retry-after hint it finds on one (a
 *                               provider's {@code Retry-After}) keeps the circuit open at least
 *                               that long, at most {@link #LONGEST_OPEN}
 */
public record CircuitBreakerConfig(float failureRateThreshold, float slowCallRateThreshold, Duration slowCallDuration,
        WindowType windowType, int windowSize, int minimumCalls, Duration waitInOpen, int permittedCallsInHalfOpen,
        Duration maxWaitInHalfOpen, FailureClassification classification) {

    /** The longest a circuit stays open, whether for {@code waitInOpen} or for a provider's hint. */
    public static final Duration LONGEST_OPEN = Duration.ofDays(1);

    /**
     * 50% failures or 100% slow calls (60 s) over the last 100 calls, at least 10; 30 s open; 5
     * trials, awaited at most 60 s.
     */
    public static final CircuitBreakerConfig DEFAULT = new CircuitBreakerConfig(50, 100, Duration.ofSeconds(60),
            WindowType.COUNT, 100, 10, Duration.ofSeconds(30), 5, Duration.ofSeconds(60),
            FailureClassification.defaults());

    /** What the window counts over. */
    public enum WindowType {

        /** The last {@code windowSize} calls. */
        COUNT,

        /** The calls of the last {@code windowSize} seconds. */
        TIME
    }

    public CircuitBreakerConfig {
        check(failureRateThreshold > 0 && failureRateThreshold <= 100, "failureRateThreshold must be above 0 and at most 100, was "
                + failureRateThreshold);
        check(slowCallRateThreshold > 0 && slowCallRateThreshold <= 100, "slowCallRateThreshold must be above 0 and at most 100, was "
                + slowCallRateThreshold);
        check(slowCallDuration != null && !slowCallDuration.isNegative() && !slowCallDuration.isZero(), "slowCallDuration must be positive, was "
                + slowCallDuration);
        check(windowType != null, "windowType must not be null");
        check(windowSize >= 1 && windowSize <= 10_000, "windowSize must be from 1 to 10000, was " + windowSize);
        check(minimumCalls >= 1 && minimumCalls <= 10_000, "minimumCalls must be from 1 to 10000, was " + minimumCalls);
        check(waitInOpen != null && !waitInOpen.isNegative() && !waitInOpen.isZero() && waitInOpen.compareTo(LONGEST_OPEN) <= 0,
                "waitInOpen must be positive and at most 1 day, was " + waitInOpen);
        check(permittedCallsInHalfOpen >= 1 && permittedCallsInHalfOpen <= 1_000,
                "permittedCallsInHalfOpen must be from 1 to 1000, was " + permittedCallsInHalfOpen);
        check(maxWaitInHalfOpen != null && !maxWaitInHalfOpen.isNegative() && !maxWaitInHalfOpen.isZero()
                && maxWaitInHalfOpen.compareTo(Duration.ofDays(1)) <= 0,
                "maxWaitInHalfOpen must be positive and at most 1 day, was " + maxWaitInHalfOpen);
        check(classification != null, "classification must not be null; use FailureClassification.defaults()");
    }

    public CircuitBreakerConfig withFailureRateThreshold(float percent) {
        return new CircuitBreakerConfig(percent, slowCallRateThreshold, slowCallDuration, windowType, windowSize,
                minimumCalls, waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, classification);
    }

    public CircuitBreakerConfig withSlowCalls(float percent, Duration duration) {
        return new CircuitBreakerConfig(failureRateThreshold, percent, duration, windowType, windowSize, minimumCalls,
                waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, classification);
    }

    public CircuitBreakerConfig withWindow(WindowType type, int size, int minimum) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, type, size,
                minimum, waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, classification);
    }

    public CircuitBreakerConfig withWaitInOpen(Duration wait) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, wait, permittedCallsInHalfOpen, maxWaitInHalfOpen, classification);
    }

    public CircuitBreakerConfig withPermittedCallsInHalfOpen(int calls) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, waitInOpen, calls, maxWaitInHalfOpen, classification);
    }

    public CircuitBreakerConfig withMaxWaitInHalfOpen(Duration wait) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, waitInOpen, permittedCallsInHalfOpen, wait, classification);
    }

    public CircuitBreakerConfig withClassification(FailureClassification classification) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, classification);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
