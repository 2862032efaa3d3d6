package io.crossbridge.hardening.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Calls the method through a named circuit breaker (from
 * {@code crossbridge.hardening.circuit-breaker.instances}; {@code default} is built in): while the
 * circuit is open the method is not called, and the fallback, if any, answers instead. On a class,
 * every public method. With {@code @RateLimited} and {@code @RetryWithBackoff}, the order is rate
 * limit, circuit breaker, retry: one call takes one token and counts once for the breaker however
 * often it is retried.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CircuitBreaker {

    /** The breaker's name. */
    String name() default "default";

    /**
     * A method of the same bean with the same parameters, optionally followed by one for the
     * failure, returning the same type, that answers when the circuit is open or the call failed
     * in a way the breaker records. Empty for none: the failure, or
     * {@code CallNotPermittedException}, reaches the caller.
     */
    String fallback() default "";
}
