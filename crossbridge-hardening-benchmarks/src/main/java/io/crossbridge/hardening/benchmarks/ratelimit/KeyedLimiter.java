package io.crossbridge.hardening.benchmarks.ratelimit;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

/**
 * One rate limiter library behind the per-key call the benchmarks make. Peers without per-key
 * support get a {@link ConcurrentHashMap} of instances, as their users write it.
 */
interface KeyedLimiter {

    boolean tryAcquire(String key);

    /** The object graph that holds every bucket, for retained-size measurements. */
    Object root();

    /** Allow path: a capacity no benchmark can exhaust. Reject path: one token an hour. */
    static KeyedLimiter create(String library, boolean allowPath, int maxKeys) {
        long capacity = allowPath ? 1_000_000_000_000L : 1;
        Duration window = allowPath ? Duration.ofSeconds(1_000) : Duration.ofHours(1);
        switch (library) {
            case "crossbridge":
                return new Crossbridge(RateLimit.of("bench", capacity, window), maxKeys);
            case "bucket4j":
                return new Bucket4j(capacity, window);
            case "resilience4j":
                return new Resilience4j(allowPath);
            case "guava":
                return new Guava(capacity / (double) window.toSeconds());
            default:
                throw new IllegalArgumentException("unknown library '" + library + "'");
        }
    }

    final class Crossbridge implements KeyedLimiter {

        private final InMemoryRateLimiter limiter;

        private final RateLimit limit;

        Crossbridge(RateLimit limit, int maxKeys) {
            this.limiter = InMemoryRateLimiter.builder().maxKeys(maxKeys).build();
            this.limit = limit;
        }

        @Override
        public boolean tryAcquire(String key) {
            return limiter.tryAcquire(key, limit);
        }

        @Override
        public Object root() {
            return limiter;
        }
    }

    /** Bucket4j's lock-free local bucket, with its default (millisecond) clock. */
    final class Bucket4j implements KeyedLimiter {

        private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

        private final long capacity;

        private final Duration window;

        Bucket4j(long capacity, Duration window) {
            this.capacity = capacity;
            this.window = window;
        }

        @Override
        public boolean tryAcquire(String key) {
            return buckets.computeIfAbsent(key, k -> Bucket.builder()
                    .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, window))
                    .withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE)
                    .build()).tryConsume(1);
        }

        @Override
        public Object root() {
            return buckets;
        }
    }

    /** Resilience4j's AtomicRateLimiter; it refills a fixed number of permits per period. */
    final class Resilience4j implements KeyedLimiter {

        private final ConcurrentHashMap<String, AtomicRateLimiter> limiters = new ConcurrentHashMap<>();

        private final RateLimiterConfig config;

        Resilience4j(boolean allowPath) {
            this.config = RateLimiterConfig.custom()
                    .limitForPeriod(allowPath ? Integer.MAX_VALUE : 1)
                    .limitRefreshPeriod(allowPath ? Duration.ofSeconds(1) : Duration.ofHours(1))
                    .timeoutDuration(Duration.ZERO)
                    .build();
        }

        @Override
        public boolean tryAcquire(String key) {
            return limiters.computeIfAbsent(key, k -> new AtomicRateLimiter(k, config)).acquirePermission();
        }

        @Override
        public Object root() {
            return limiters;
        }
    }

    final class Guava implements KeyedLimiter {

        private final ConcurrentHashMap<String, com.google.common.util.concurrent.RateLimiter> limiters =
                new ConcurrentHashMap<>();

        private final double permitsPerSecond;

        Guava(double permitsPerSecond) {
            this.permitsPerSecond = permitsPerSecond;
        }

        @Override
        public boolean tryAcquire(String key) {
            return limiters.computeIfAbsent(key,
                    k -> com.google.common.util.concurrent.RateLimiter.create(permitsPerSecond)).tryAcquire();
        }

        @Override
        public Object root() {
            return limiters;
        }
    }
}
