package io.crossbridge.hardening.autoconfigure.retry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code crossbridge.retry.calls} (tags {@code name}, {@code policy}, {@code outcome}) and
 * {@code crossbridge.retry.attempts} (tag {@code name}, every attempt, the first included).
 */
final class MicrometerRetryRecorders implements RetryRecorder.Factory {

    private final MeterRegistry registry;

    MicrometerRetryRecorders(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public RetryRecorder forMethod(String name, String policy) {
        Counter successWithoutRetry = calls(name, policy, "success_without_retry");
        Counter successWithRetry = calls(name, policy, "success_with_retry");
        Counter failedWithoutRetry = calls(name, policy, "failed_without_retry");
        Counter failedWithRetry = calls(name, policy, "failed_with_retry");
        Counter attemptCounter = Counter.builder("crossbridge.retry.attempts").description("Attempts, the first included")
                .tag("name", name).register(registry);
        return (attempts, succeeded) -> {
            attemptCounter.increment(attempts);
            if (succeeded) {
                (attempts > 1 ? successWithRetry : successWithoutRetry).increment();
            }
            else {
                (attempts > 1 ? failedWithRetry : failedWithoutRetry).increment();
            }
        };
    }

    private Counter calls(String name, String policy, String outcome) {
        return Counter.builder("crossbridge.retry.calls").description("Calls of retried methods, by outcome")
                .tag("name", name).tag("policy", policy).tag("outcome", outcome).register(registry);
    }
}
