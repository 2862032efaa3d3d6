package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;
import io.crossbridge.hardening.circuitbreaker.CircuitBreakerConfig;
import io.crossbridge.hardening.circuitbreaker.CircuitBreakerMetrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/circuitbreakers}: every breaker with its state, rates, counts and settings; one
 * breaker by name; and a write operation that forces a breaker open or closed, or resets it,
 * available only with {@code management.endpoint.circuitbreakers.access: unrestricted}.
 */
@Endpoint(id = "circuitbreakers", defaultAccess = Access.READ_ONLY)
public class CircuitBreakersEndpoint {

    private final CircuitBreakerCatalog catalog;

    public CircuitBreakersEndpoint(CircuitBreakerCatalog catalog) {
        this.catalog = catalog;
    }

    @ReadOperation
    public Map<String, BreakerDescriptor> circuitBreakers() {
        Map<String, BreakerDescriptor> breakers = new LinkedHashMap<>();
        catalog.all().forEach(breaker -> breakers.put(breaker.name(), describe(breaker)));
        return breakers;
    }

    /** One breaker, or {@code null} (a 404) when none has that name. */
    @ReadOperation
    public BreakerDescriptor circuitBreaker(@Selector String name) {
        return catalog.find(name).map(CircuitBreakersEndpoint::describe).orElse(null);
    }

    /**
     * Moves a breaker by hand: {@code open} and {@code closed} hold until a {@code reset}, which
     * closes it with an empty window.
     */
    @WriteOperation
    public BreakerDescriptor transition(@Selector String name, String state) {
        CircuitBreaker breaker = catalog.find(name).orElseThrow(() -> new InvalidEndpointRequestException(
                "No circuit breaker named '" + name + "'; configured: " + catalog.names(), "unknown circuit breaker"));
        switch (state.toLowerCase(Locale.ROOT)) {
            case "open" -> breaker.forceOpen();
            case "closed" -> breaker.forceClosed();
            case "reset" -> breaker.reset();
            default -> throw new InvalidEndpointRequestException(
                    "state must be open, closed or reset, was '" + state + "'", "unknown state");
        }
        return describe(breaker);
    }

    private static BreakerDescriptor describe(CircuitBreaker breaker) {
        CircuitBreakerMetrics metrics = breaker.metrics();
        CircuitBreakerConfig config = breaker.config();
        return new BreakerDescriptor(metrics.state().name(), metrics.failureRate(), metrics.slowCallRate(), metrics.calls(),
                metrics.failedCalls(), metrics.slowCalls(), metrics.notPermitted(), config.failureRateThreshold(),
                config.slowCallRateThreshold(), config.slowCallDuration().toString(),
                config.windowType().name().toLowerCase(Locale.ROOT), config.windowSize(), config.minimumCalls(),
                config.waitInOpen().toString(), config.permittedCallsInHalfOpen(), config.maxWaitInHalfOpen().toString());
    }

    /**
     * One breaker: its state and window (rates are -1 below the minimum number of calls), then
     * its settings; durations in ISO-8601.
     */
    public record BreakerDescriptor(String state, float failureRate, float slowCallRate, int calls, int failedCalls,
            int slowCalls, long notPermittedCalls, float failureRateThreshold, float slowCallRateThreshold,
            String slowCallDuration, String windowType, int windowSize, int minimumCalls, String waitInOpen,
            int permittedCallsInHalfOpen, String maxWaitInHalfOpen) {
    }
}
