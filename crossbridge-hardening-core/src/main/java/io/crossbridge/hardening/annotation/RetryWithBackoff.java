package io.crossbridge.hardening.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Retries the annotated method (or every public method of the annotated class) on transient
 * failures, with a named retry policy and optional inline overrides. When attempts run out the
 * method rethrows its last failure unchanged, earlier ones suppressed in it; a method returning a
 * {@code CompletionStage} is retried without blocking and its future fails that way.
 * <p>
 * Applied by a Spring proxy: a call from within the same object is not retried. An unknown
 * policy name or a bad inline value stops the application at startup.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface RetryWithBackoff {

    /** The named policy (from {@code crossbridge.hardening.retry.policies}); {@code default} unless set. */
    String policy() default "";

    /** Overrides the policy's attempts in all, the first included; unset when below 1. */
    int maxAttempts() default 0;

    /** Overrides the policy's first wait, such as {@code "500ms"}; unset when empty. */
    String baseDelay() default "";

    /** Overrides the policy's longest wait, such as {@code "5s"}; unset when empty. */
    String maxDelay() default "";

    /** Overrides the policy's growth per retry; unset when below 1. */
    double multiplier() default 0;

    /** Overrides the policy's jitter mode ({@code none}, {@code full}, {@code equal}, {@code decorrelated}); unset when empty. */
    String jitter() default "";

    /** Overrides the policy's bound on the time from the first attempt, such as {@code "30s"}; unset when empty. */
    String maxElapsed() default "";

    /**
     * Overrides the policy's bound on each attempt, such as {@code "2s"}; unset when empty. Only
     * for methods returning a {@code CompletionStage} or a reactive type: a blocking method with
     * it stops the application at startup, since its client's own timeouts must bound it.
     */
    String timeout() default "";

    /** More failure types to retry, added to the policy's. */
    Class<? extends Throwable>[] retryOn() default {};

    /** Failure types never to retry, added to the policy's. */
    Class<? extends Throwable>[] abortOn() default {};
}
