package io.crossbridge.hardening.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets at most the named limit's number of calls of the annotated method (or of every public
 * method of the annotated class) be in flight at once, together with every other method under
 * the same name. A call over the limit waits for a place at most the limit's {@code max-wait}
 * (an asynchronous or reactive call without holding a thread), then fails with
 * {@code ConcurrencyLimitExceededException}.
 * <p>
 * By default the limit sits inside {@code @RetryWithBackoff}: each attempt takes its own place and
 * gives it back before the backoff, which is how a provider's capacity is used. To bound a
 * caller's calls instead, retries included, move it outside
 * ({@code crossbridge.hardening.concurrency.order} below the retry's 300).
 * <p>
 * Applied by a Spring proxy: a call from within the same object is not limited. An unknown name
 * or a key expression that does not parse stops the application at startup.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface ConcurrencyLimited {

    /** The named limit, from {@code crossbridge.hardening.concurrency.limits}. */
    String name();

    /**
     * A SpEL expression over the method's parameters by name, such as {@code #userId}, that makes
     * the limit per key: each key at most {@code max-concurrent} calls in flight. Empty for one
     * limit over all calls of the name. A key that is null or blank fails the call with an
     * {@code IllegalArgumentException}.
     */
    String key() default "";
}
