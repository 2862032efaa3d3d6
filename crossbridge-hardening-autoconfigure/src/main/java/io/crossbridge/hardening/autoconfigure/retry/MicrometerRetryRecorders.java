package io.crossbridge.hardening.autoconfigure.retry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

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
        Map<RetryRecorder.Outcome, Counter> calls = new EnumMap<>(RetryRecorder.Outcome.class);
        for (RetryRecorder.Outcome outcome : RetryRecorder.Outcome.values()) {
            calls.put(outcome, calls(name, policy, outcome.tag()));
        }
        Counter attemptCounter = Counter.builder("crossbridge.retry.attempts").description("Attempts, the first included")
                .tag("name", name).register(registry);
        return (attempts, outcome) -> {
            attemptCounter.increment(attempts);
            calls.get(outcome).increment();
        };
    }

    private Counter calls(String name, String policy, String outcome) {
        return Counter.builder("crossbridge.retry.calls").description("Calls of retried methods, by outcome")
                .tag("name", name).tag("policy", policy).tag("outcome", outcome).register(registry);
    }
}
