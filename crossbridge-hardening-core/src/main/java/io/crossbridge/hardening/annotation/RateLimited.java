package io.crossbridge.hardening.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Takes tokens from the caller's bucket under a named limit before the annotated method (or every
 * public method of the annotated class) runs; without them the call fails with
 * {@code RateLimitExceededException} (a method returning a {@code CompletionStage} returns a
 * failed future instead). With {@code @RetryWithBackoff} too, one call takes its tokens once,
 * however often it is retried.
 * <p>
 * Applied by a Spring proxy: a call from within the same object is not limited. An unknown limit
 * name, a key expression that does not parse, or tokens outside the limit's capacity stop the
 * application at startup.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface RateLimited {

    /**
     * The named limit (from {@code crossbridge.hardening.rate-limit.limits}), or a SpEL
     * expression over the parameters, starting with {@code #}, that chooses one per call, such as
     * a caller's plan: {@code "#user.plan == 'pro' ? 'search-pro' : 'search'"}. A chosen name
     * that is not configured fails the call with an {@code IllegalStateException}.
     */
    String limit();

    /**
     * A SpEL expression over the method's parameters by name, such as {@code #request.userId};
     * when empty, the key resolver decides (the authenticated principal of the current HTTP
     * request, else its client address). A key that is null or blank is never allowed.
     */
    String key() default "";

    /** Tokens one call takes, from 1 to the limit's capacity. */
    int tokens() default 1;
}
