package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiterStats;

import java.util.concurrent.CompletionException;

/**
 * A limiter whose every decision goes through {@link RateLimiter#acquireAsync}, waited for here,
 * so that the contract suite checks the asynchronous path decision by decision; a failed stage
 * throws its failure as the blocking path would.
 */
final class AsyncDecisions implements RateLimiter {

    private final RateLimiter limiter;

    AsyncDecisions(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public RateLimitDecision acquire(String key, RateLimit limit, int tokens) {
        try {
            return limiter.acquireAsync(key, limit, tokens).toCompletableFuture().join();
        }
        catch (CompletionException ex) {
            Throwable failure = AsyncFailures.unwrap(ex);
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw ex;
        }
    }

    @Override
    public double remaining(String key, RateLimit limit) {
        return limiter.remaining(key, limit);
    }

    @Override
    public void reset(String key, RateLimit limit) {
        limiter.reset(key, limit);
    }

    @Override
    public void reset(String key) {
        limiter.reset(key);
    }

    @Override
    public void resetAll() {
        limiter.resetAll();
    }

    @Override
    public RateLimiterStats stats() {
        return limiter.stats();
    }
}
