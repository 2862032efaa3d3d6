package io.crossbridge.hardening.circuitbreaker;

import java.time.Duration;

/**
 * A call refused because its circuit is open: the provider is not called. Carries no stack trace:
 * a refusal is an expected outcome, frequent while a provider is down.
 */
public class CallNotPermittedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String name;

    private final CircuitState state;

    private final Duration untilHalfOpen;

    public CallNotPermittedException(String name, CircuitState state, Duration untilHalfOpen) {
        super("Circuit breaker '" + name + "' is " + state + " and does not permit calls"
                + (untilHalfOpen != null ? "; trial calls in " + untilHalfOpen : ""), null, false, false);
        this.name = name;
        this.state = state;
        this.untilHalfOpen = untilHalfOpen;
    }

    public String name() {
        return name;
    }

    public CircuitState state() {
        return state;
    }

    /** Time until the circuit lets trial calls through, or {@code null} when forced open. */
    public Duration untilHalfOpen() {
        return untilHalfOpen;
    }
}
