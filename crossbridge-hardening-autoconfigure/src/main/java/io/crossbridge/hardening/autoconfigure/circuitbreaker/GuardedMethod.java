package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;

import java.lang.reflect.Method;

/**
 * What a {@code @CircuitBreaker} method needs per call, resolved once.
 *
 * @param breaker               its breaker
 * @param fallback              the fallback method, or {@code null}
 * @param failureType           the type of the fallback's last parameter when it takes the failure,
 *                              else {@code null}
 * @param calls                 its breaker's call counters
 * @param shape                 the shape of its result
 */
record GuardedMethod(CircuitBreaker breaker, Method fallback, Class<?> failureType, BreakerCalls calls,
        CallShape shape) {
}
