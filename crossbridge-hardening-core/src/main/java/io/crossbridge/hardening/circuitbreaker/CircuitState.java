package io.crossbridge.hardening.circuitbreaker;

/**
 * Where a {@link CircuitBreaker} stands.
 */
public enum CircuitState {

    /** Calls go through; outcomes are counted. */
    CLOSED,

    /** Calls are refused until the wait in the open state is over. */
    OPEN,

    /** A few trial calls go through; their outcome closes or reopens the circuit. */
    HALF_OPEN,

    /** Opened by hand: calls are refused until it is closed or reset by hand. */
    FORCED_OPEN,

    /** Closed by hand: calls go through and nothing opens it until it is reset by hand. */
    FORCED_CLOSED
}
