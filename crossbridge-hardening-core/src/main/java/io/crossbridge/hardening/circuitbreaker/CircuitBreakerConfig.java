package io.crossbridge.hardening.circuitbreaker;

import io.crossbridge.hardening.retry.FailureKind;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.time.Duration;
import java.util.function.Predicate;

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
 * @param recordFailure          which failures count against the provider; by default every one
 *                               the retry classification does not call permanent, so a validation
 *                               error never opens the circuit
 */
public record CircuitBreakerConfig(float failureRateThreshold, float slowCallRateThreshold, Duration slowCallDuration,
        WindowType windowType, int windowSize, int minimumCalls, Duration waitInOpen, int permittedCallsInHalfOpen,
        Duration maxWaitInHalfOpen, Predicate<Throwable> recordFailure) {

    /**
     * 50% failures or 100% slow calls (60 s) over the last 100 calls, at least 10; 30 s open; 5
     * trials, awaited at most 60 s.
     */
    public static final CircuitBreakerConfig DEFAULT = new CircuitBreakerConfig(50, 100, Duration.ofSeconds(60),
            WindowType.COUNT, 100, 10, Duration.ofSeconds(30), 5, Duration.ofSeconds(60), failure -> RetryPolicy.DEFAULT.classify(failure) != FailureKind.PERMANENT);

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
        check(waitInOpen != null && !waitInOpen.isNegative() && !waitInOpen.isZero() && waitInOpen.compareTo(Duration.ofDays(1)) <= 0,
                "waitInOpen must be positive and at most 1 day, was " + waitInOpen);
        check(permittedCallsInHalfOpen >= 1 && permittedCallsInHalfOpen <= 1_000,
                "permittedCallsInHalfOpen must be from 1 to 1000, was " + permittedCallsInHalfOpen);
        check(maxWaitInHalfOpen != null && !maxWaitInHalfOpen.isNegative() && !maxWaitInHalfOpen.isZero()
                && maxWaitInHalfOpen.compareTo(Duration.ofDays(1)) <= 0,
                "maxWaitInHalfOpen must be positive and at most 1 day, was " + maxWaitInHalfOpen);
        check(recordFailure != null, "recordFailure must not be null");
    }

    public CircuitBreakerConfig withFailureRateThreshold(float percent) {
        return new CircuitBreakerConfig(percent, slowCallRateThreshold, slowCallDuration, windowType, windowSize,
                minimumCalls, waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, recordFailure);
    }

    public CircuitBreakerConfig withSlowCalls(float percent, Duration duration) {
        return new CircuitBreakerConfig(failureRateThreshold, percent, duration, windowType, windowSize, minimumCalls,
                waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, recordFailure);
    }

    public CircuitBreakerConfig withWindow(WindowType type, int size, int minimum) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, type, size,
                minimum, waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, recordFailure);
    }

    public CircuitBreakerConfig withWaitInOpen(Duration wait) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, wait, permittedCallsInHalfOpen, maxWaitInHalfOpen, recordFailure);
    }

    public CircuitBreakerConfig withPermittedCallsInHalfOpen(int calls) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, waitInOpen, calls, maxWaitInHalfOpen, recordFailure);
    }

    public CircuitBreakerConfig withMaxWaitInHalfOpen(Duration wait) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, waitInOpen, permittedCallsInHalfOpen, wait, recordFailure);
    }

    public CircuitBreakerConfig withRecordFailure(Predicate<Throwable> predicate) {
        return new CircuitBreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, windowType,
                windowSize, minimumCalls, waitInOpen, permittedCallsInHalfOpen, maxWaitInHalfOpen, predicate);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
