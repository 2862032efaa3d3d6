package io.crossbridge.hardening.autoconfigure.ratelimit;

import java.lang.reflect.Method;

/**
 * Decides the rate-limit key of a {@code @RateLimited} call that names no key expression. Declare
 * a bean of this type to replace the default.
 */
@FunctionalInterface
public interface RateLimitKeyResolver {

    /**
     * Returns the key for a call of {@code method} with {@code arguments}, or {@code null} when
     * there is none (the call then fails with {@code MissingRateLimitKeyException}).
     */
    String resolveKey(Method method, Object[] arguments);
}
