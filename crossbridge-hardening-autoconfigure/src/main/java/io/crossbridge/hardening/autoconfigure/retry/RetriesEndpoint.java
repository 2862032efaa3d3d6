package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.retry.RetryPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/retries}: every named policy with its settings, and the outcomes of the calls
 * of every {@code @RetryWithBackoff} method, by policy and by method. The outcomes are read from
 * the {@code crossbridge.retry.calls} meters, so the retried call pays nothing extra for this
 * endpoint; without a meter registry they are left out.
 */
@Endpoint(id = "retries")
public class RetriesEndpoint {

    private static final List<String> OUTCOMES = Arrays.stream(RetryRecorder.Outcome.values())
            .map(RetryRecorder.Outcome::tag).toList();

    private final RetryPolicyCatalog catalog;

    private final ObjectProvider<MeterRegistry> meterRegistry;

    public RetriesEndpoint(RetryPolicyCatalog catalog, ObjectProvider<MeterRegistry> meterRegistry) {
        this.catalog = catalog;
        this.meterRegistry = meterRegistry;
    }

    @ReadOperation
    public RetriesDescriptor retries() {
        MeterRegistry registry = meterRegistry.getIfAvailable();
        Map<String, Map<String, Long>> byPolicy = new TreeMap<>();
        Map<String, MethodDescriptor> methods = new TreeMap<>();
        if (registry != null) {
            for (Counter counter : registry.find("crossbridge.retry.calls").counters()) {
                String policy = counter.getId().getTag("policy");
                String method = counter.getId().getTag("name");
                String outcome = counter.getId().getTag("outcome");
                long count = (long) counter.count();
                byPolicy.computeIfAbsent(policy, name -> zeroOutcomes()).merge(outcome, count, Long::sum);
                methods.computeIfAbsent(method, name -> new MethodDescriptor(policy, zeroOutcomes())).calls()
                        .merge(outcome, count, Long::sum);
            }
        }
        Map<String, PolicyDescriptor> policies = new LinkedHashMap<>();
        for (String name : catalog.names()) {
            RetryPolicy policy = catalog.get(name);
            policies.put(name, new PolicyDescriptor(policy.maxAttempts(), policy.baseDelay().toString(),
                    policy.maxDelay().toString(), policy.multiplier(), policy.jitter().name().toLowerCase(Locale.ROOT),
                    policy.maxElapsed() == null ? null : policy.maxElapsed().toString(),
                    policy.attemptTimeout() == null ? null : policy.attemptTimeout().toString(),
                    policy.retryOn().stream().map(Class::getName).toList(),
                    policy.abortOn().stream().map(Class::getName).toList(),
                    registry == null ? null : byPolicy.getOrDefault(name, zeroOutcomes())));
        }
        return new RetriesDescriptor(policies, registry == null ? null : methods);
    }

    private static Map<String, Long> zeroOutcomes() {
        Map<String, Long> outcomes = new LinkedHashMap<>();
        OUTCOMES.forEach(outcome -> outcomes.put(outcome, 0L));
        return outcomes;
    }

    /**
     * @param policies by name
     * @param methods  by {@code Class.method}, once called; {@code null} without a meter registry
     */
    public record RetriesDescriptor(Map<String, PolicyDescriptor> policies, Map<String, MethodDescriptor> methods) {
    }

    /**
     * One named policy; durations in ISO-8601.
     *
     * @param timeout the bound on each asynchronous or reactive attempt; {@code null} for none
     * @param calls calls of every method using it, by outcome; {@code null} without a meter
     *              registry
     */
    public record PolicyDescriptor(int maxAttempts, String baseDelay, String maxDelay, double multiplier,
            String jitter, String maxElapsed, String timeout, List<String> retryOn, List<String> abortOn,
            Map<String, Long> calls) {
    }

    /**
     * One retried method.
     *
     * @param policy the named policy it starts from
     * @param calls  its calls by outcome
     */
    public record MethodDescriptor(String policy, Map<String, Long> calls) {
    }
}
