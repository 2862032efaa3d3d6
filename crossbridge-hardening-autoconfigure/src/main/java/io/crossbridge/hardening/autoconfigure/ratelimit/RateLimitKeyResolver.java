package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.call.CallContext;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides the rate-limit key of a {@code @RateLimited} call that names no key expression. Declare
 * a bean of this type to replace the default: on Spring MVC, the principal of the request bound
 * to the calling thread, else its client address; on WebFlux, the {@code ExchangeKeyResolver}'s
 * key of the exchange a reactive call serves.
 */
@FunctionalInterface
public interface RateLimitKeyResolver {

    /**
     * Returns the key for a call of {@code method} with {@code arguments}, or {@code null} when
     * there is none (the call then fails with {@code MissingRateLimitKeyException}).
     */
    String resolveKey(Method method, Object[] arguments);

    /**
     * Returns the key for a reactive call, without blocking, from what its subscriber keeps
     * beside it ({@code context}: on WebFlux, the exchange being served); completes with
     * {@code null} when there is none. The default answers {@link #resolveKey} at once.
     */
    default CompletionStage<String> resolveKeyWithoutBlocking(Method method, Object[] arguments, CallContext context) {
        return CompletableFuture.completedFuture(resolveKey(method, arguments));
    }
}
