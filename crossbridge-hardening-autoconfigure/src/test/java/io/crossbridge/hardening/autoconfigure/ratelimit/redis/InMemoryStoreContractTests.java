package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;

/**
 * The store contract, against the in-memory store.
 */
class InMemoryStoreContractTests extends RateLimiterContract {

    @Override
    RateLimiter limiter() {
        return new InMemoryRateLimiter();
    }
}
