package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named retry policies of the application: the built-in ones, with what the properties
 * override or add, all judging failures by the application's {@link FailureClassification}.
 * Annotations look their policies up here, so that an unknown name fails at startup; programmatic
 * {@code Retry} users get the same policies, classification included, from {@link #get}.
 */
public final class RetryPolicyCatalog {

    private static final String PREFIX = "crossbridge.hardening.retry.policies.";

    /** In a fixed order, so that listings (errors, the retries endpoint) read the same every time. */
    private static final Map<String, RetryPolicy> BUILT_IN = builtIn();

    private final Map<String, RetryPolicy> policies;

    private RetryPolicyCatalog(Map<String, RetryPolicy> policies) {
        this.policies = Collections.unmodifiableMap(policies);
    }

    /**
     * Returns the catalog the properties describe, every policy judging failures by
     * {@code classification}.
     *
     * @throws InvalidPropertyException naming the first property that holds a bad value
     */
    public static RetryPolicyCatalog of(RetryProperties properties, FailureClassification classification) {
        Map<String, RetryPolicy> policies = new LinkedHashMap<>();
        BUILT_IN.forEach((name, policy) -> policies.put(name, policy.withClassification(classification)));
        properties.getPolicies().forEach((name, settings) -> policies.put(name, resolve(name, settings, classification)));
        return new RetryPolicyCatalog(policies);
    }

    /**
     * Returns the policy of that name, if there is one.
     */
    public Optional<RetryPolicy> find(String name) {
        return Optional.ofNullable(policies.get(name));
    }

    /**
     * Returns the policy of that name.
     *
     * @throws IllegalArgumentException naming the policies there are, when there is none
     */
    public RetryPolicy get(String name) {
        RetryPolicy policy = policies.get(name);
        if (policy == null) {
            throw new IllegalArgumentException("no retry policy named '" + name + "'; configured: " + policies.keySet());
        }
        return policy;
    }

    private static Map<String, RetryPolicy> builtIn() {
        Map<String, RetryPolicy> policies = new LinkedHashMap<>();
        policies.put("default", RetryPolicy.DEFAULT);
        policies.put("quick", RetryPolicy.QUICK);
        policies.put("conservative", RetryPolicy.CONSERVATIVE);
        policies.put("aggressive", RetryPolicy.AGGRESSIVE);
        return Collections.unmodifiableMap(policies);
    }

    public Set<String> names() {
        return policies.keySet();
    }

    private static RetryPolicy resolve(String name, RetryProperties.Policy settings,
            FailureClassification classification) {
        RetryPolicy base = BUILT_IN.getOrDefault(name, RetryPolicy.DEFAULT);
        int maxAttempts = settings.getMaxAttempts() != null ? settings.getMaxAttempts() : base.maxAttempts();
        try {
            return new RetryPolicy(maxAttempts,
                    settings.getBaseDelay() != null ? settings.getBaseDelay() : base.baseDelay(),
                    settings.getMaxDelay() != null ? settings.getMaxDelay() : base.maxDelay(),
                    settings.getMultiplier() != null ? settings.getMultiplier() : base.multiplier(),
                    settings.getJitter() != null ? settings.getJitter() : base.jitter(),
                    settings.getMaxElapsed() != null ? settings.getMaxElapsed() : base.maxElapsed(),
                    settings.getTimeout() != null ? settings.getTimeout() : base.attemptTimeout(),
                    settings.getRetryOn(), settings.getAbortOn(), null, null, classification);
        }
        catch (IllegalArgumentException ex) {
            throw invalid(name, settings, ex.getMessage());
        }
    }

    /**
     * Names the property at fault. RetryPolicy's messages start with the component's name
     * ({@code "maxAttempts must be ..."}); a delay conflict is the max-delay's when it was set.
     */
    private static InvalidPropertyException invalid(String name, RetryProperties.Policy settings, String message) {
        String component = message.substring(0, message.indexOf(' '));
        String property = kebab(component);
        Object value;
        switch (component) {
            case "maxAttempts":
                value = settings.getMaxAttempts();
                break;
            case "baseDelay":
                value = settings.getBaseDelay();
                break;
            case "maxDelay":
                value = settings.getMaxDelay();
                if (value == null) {
                    property = "base-delay";
                    value = settings.getBaseDelay();
                }
                break;
            case "multiplier":
                value = settings.getMultiplier();
                break;
            case "maxElapsed":
                value = settings.getMaxElapsed();
                break;
            case "attemptTimeout":
                property = "timeout";
                value = settings.getTimeout();
                message = message.replace(component, property);
                break;
            case "retryOn":
                value = settings.getRetryOn();
                break;
            default:
                value = settings.getAbortOn();
        }
        return new InvalidPropertyException(PREFIX + name + "." + property, value,
                Character.toUpperCase(message.charAt(0)) + message.substring(1) + ".");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
