package io.crossbridge.hardening.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token-bucket rate limiting for many limits and many keys at once.
 * <p>
 * A bucket is identified by the limit's name and the caller's key: the same key under two limits
 * has two buckets. A bucket starts full, refills continuously and grants a multi-token request
 * all or nothing.
 * <p>
 * Every method rejects bad input with an {@link IllegalArgumentException} that names it: a null
 * limit, a null or blank key ({@link MissingRateLimitKeyException}), or a token count outside
 * {@code 1..capacity}.
 */
public interface RateLimiter {

    /**
     * Takes one token from the bucket of {@code key} under {@code limit}, if there is one.
     *
     * @return whether the token was taken
     */
    default boolean tryAcquire(String key, RateLimit limit) {
        return tryAcquire(key, limit, 1);
    }

    /**
     * Takes {@code tokens} tokens from the bucket of {@code key} under {@code limit}, if all of
     * them are there; otherwise takes none.
     *
     * @return whether the tokens were taken
     */
    default boolean tryAcquire(String key, RateLimit limit, int tokens) {
        return acquire(key, limit, tokens).allowed();
    }

    /**
     * Like {@link #tryAcquire(String, RateLimit, int)}, and tells what the bucket looks like
     * after the decision, taken in the same atomic step.
     */
    RateLimitDecision acquire(String key, RateLimit limit, int tokens);

    /**
     * Like {@link #acquire(String, RateLimit, int)}, for callers that must not block (reactive
     * ones): a store that waits for a server answers with a stage that completes when the server
     * has, and holds no thread meanwhile. The default decides at once, on this thread, which is
     * right for a store in memory. Bad input fails the stage, not the call.
     */
    default CompletionStage<RateLimitDecision> acquireAsync(String key, RateLimit limit,
            int tokens) {
        try {
            return CompletableFuture.completedFuture(acquire(key, limit, tokens));
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Takes one token or throws.
     *
     * @throws RateLimitExceededException when the bucket is empty
     */
    default void acquireOrThrow(String key, RateLimit limit) {
        acquireOrThrow(key, limit, 1);
    }

    /**
     * Takes {@code tokens} tokens or throws. Use {@link #acquire} where the decision is needed
     * too, for response headers.
     *
     * @throws RateLimitExceededException when the bucket lacks the tokens
     */
    default void acquireOrThrow(String key, RateLimit limit, int tokens) {
        RateLimitDecision decision = acquire(key, limit, tokens);
        if (!decision.allowed()) {
            throw new RateLimitExceededException(key, limit, decision.retryAfter());
        }
    }

    /**
     * Returns the tokens in the bucket of {@code key} under {@code limit} now, without taking any;
     * the capacity for a key never seen.
     */
    double remaining(String key, RateLimit limit);

    /**
     * Refills the bucket of {@code key} under {@code limit}.
     */
    void reset(String key, RateLimit limit);

    /**
     * Refills every bucket of {@code key}, under every limit.
     */
    void reset(String key);

    /**
     * Refills every bucket. Counters in {@link #stats()} keep counting.
     */
    void resetAll();

    /**
     * Returns counters and sizes, for metrics and the Actuator endpoint.
     */
    RateLimiterStats stats();
}
