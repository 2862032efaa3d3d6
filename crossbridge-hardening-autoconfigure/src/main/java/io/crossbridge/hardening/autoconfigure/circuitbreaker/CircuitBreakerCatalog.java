package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;
import io.crossbridge.hardening.circuitbreaker.CircuitBreakerConfig;
import io.crossbridge.hardening.circuitbreaker.CircuitBreakerListener;
import io.crossbridge.hardening.failure.FailureClassification;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The application's circuit breakers by name: the built-in {@code default} and those the
 * properties configure. Annotations look theirs up here, so an unknown name fails at startup.
 */
public final class CircuitBreakerCatalog {

    private static final String PREFIX = "crossbridge.hardening.circuit-breaker.instances.";

    private final Map<String, CircuitBreaker> breakers;

    private CircuitBreakerCatalog(Map<String, CircuitBreaker> breakers) {
        this.breakers = Collections.unmodifiableMap(breakers);
    }

    /**
     * Returns the breakers the properties describe, each heard by {@code listener}, timed by
     * {@code ticker} and judging failures by {@code classification}.
     *
     * @throws InvalidPropertyException naming the first property that holds a bad value
     */
    public static CircuitBreakerCatalog of(CircuitBreakerProperties properties, CircuitBreakerListener listener,
            Ticker ticker, FailureClassification classification) {
        Map<String, CircuitBreakerProperties.Instance> instances = new LinkedHashMap<>();
        instances.put("default", new CircuitBreakerProperties.Instance());
        instances.putAll(properties.getInstances());
        Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
        instances.forEach((name, settings) -> {
            CircuitBreaker breaker = new CircuitBreaker(name, resolve(name, settings).withClassification(classification), ticker);
            breaker.addListener(listener);
            breakers.put(name, breaker);
        });
        return new CircuitBreakerCatalog(breakers);
    }

    public Optional<CircuitBreaker> find(String name) {
        return Optional.ofNullable(breakers.get(name));
    }

    public Set<String> names() {
        return breakers.keySet();
    }

    public Collection<CircuitBreaker> all() {
        return breakers.values();
    }

    private static CircuitBreakerConfig resolve(String name, CircuitBreakerProperties.Instance settings) {
        CircuitBreakerConfig config = CircuitBreakerConfig.DEFAULT;
        String at = PREFIX + name + ".";
        try {
            config = settings.getFailureRateThreshold() == null ? config
                    : config.withFailureRateThreshold(settings.getFailureRateThreshold());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPropertyException(at + "failure-rate-threshold", settings.getFailureRateThreshold(), sentence(ex));
        }
        try {
            config = config.withSlowCalls(
                    settings.getSlowCallRateThreshold() != null ? settings.getSlowCallRateThreshold() : config.slowCallRateThreshold(),
                    settings.getSlowCallDuration() != null ? settings.getSlowCallDuration() : config.slowCallDuration());
        }
        catch (IllegalArgumentException ex) {
            boolean duration = ex.getMessage().startsWith("slowCallDuration");
            throw new InvalidPropertyException(at + (duration ? "slow-call-duration" : "slow-call-rate-threshold"),
                    duration ? settings.getSlowCallDuration() : settings.getSlowCallRateThreshold(), sentence(ex));
        }
        try {
            config = config.withWindow(settings.getWindowType() != null ? settings.getWindowType() : config.windowType(),
                    settings.getWindowSize() != null ? settings.getWindowSize() : config.windowSize(),
                    settings.getMinimumCalls() != null ? settings.getMinimumCalls() : config.minimumCalls());
        }
        catch (IllegalArgumentException ex) {
            boolean size = ex.getMessage().startsWith("windowSize");
            throw new InvalidPropertyException(at + (size ? "window-size" : "minimum-calls"),
                    size ? settings.getWindowSize() : settings.getMinimumCalls(), sentence(ex));
        }
        try {
            config = settings.getWaitInOpen() == null ? config : config.withWaitInOpen(settings.getWaitInOpen());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPropertyException(at + "wait-in-open", settings.getWaitInOpen(), sentence(ex));
        }
        try {
            config = settings.getPermittedCallsInHalfOpen() == null ? config
                    : config.withPermittedCallsInHalfOpen(settings.getPermittedCallsInHalfOpen());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPropertyException(at + "permitted-calls-in-half-open", settings.getPermittedCallsInHalfOpen(),
                    sentence(ex));
        }
        try {
            return settings.getMaxWaitInHalfOpen() == null ? config
                    : config.withMaxWaitInHalfOpen(settings.getMaxWaitInHalfOpen());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPropertyException(at + "max-wait-in-half-open", settings.getMaxWaitInHalfOpen(), sentence(ex));
        }
    }

    private static String sentence(IllegalArgumentException ex) {
        String message = ex.getMessage();
        return Character.toUpperCase(message.charAt(0)) + message.substring(1) + ".";
    }
}
