package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store against a real server: the same decisions as the in-memory store, one shared
 * limit across instances, expiry, and the key layout.
 */
class RedisStoreTests {

    private final String prefix = "test-" + UUID.randomUUID();

    private final List<LettuceConnectionFactory> factories = new ArrayList<>();

    @AfterEach
    void disconnect() {
        if (!factories.isEmpty()) {
            new RedisRateLimiter(factories.get(0), prefix, Duration.ofSeconds(2), OnFailure.DENY).resetAll();
        }
        factories.forEach(LettuceConnectionFactory::destroy);
    }

    @Test
    void decidesExactlyAsTheInMemoryStoreDecisionByDecision() {
        RedisRateLimiter redis = limiter();
        InMemoryRateLimiter memory = InMemoryRateLimiter.builder().ticker(() -> 0L).build();
        RateLimit limit = RateLimit.of("search", 10, Duration.ofHours(1));
        Random random = new Random(42);
        int allowed = 0;
        for (int i = 0; i < 2_000; i++) {
            String key = "user-" + random.nextInt(20);
            int tokens = 1 + random.nextInt(3);

            boolean inRedis = redis.acquire(key, limit, tokens).allowed();
            boolean inMemory = memory.acquire(key, limit, tokens).allowed();

            assertThat(inRedis).as("call %d: %d tokens for %s", i, tokens, key).isEqualTo(inMemory);
            allowed += inRedis ? 1 : 0;
        }
        assertThat(allowed).isGreaterThan(20).isLessThan(2_000);
    }

    @Test
    void twoInstancesOnOneRedisAdmitExactlyTheCapacityTogetherUnderConcurrentLoad() throws Exception {
        RedisRateLimiter first = limiter();
        RedisRateLimiter second = limiter();
        RateLimit limit = RateLimit.of("shared", 300, Duration.ofHours(1));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> admitted = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                RedisRateLimiter instance = t % 2 == 0 ? first : second;
                admitted.add(threads.submit(() -> {
                    start.await();
                    int count = 0;
                    for (int i = 0; i < 250; i++) {
                        count += instance.tryAcquire("hot-key", limit) ? 1 : 0;
                    }
                    return count;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> future : admitted) {
                total += future.get(60, TimeUnit.SECONDS);
            }

            // 1,000 calls within far less than the 12 s a token takes to refill.
            assertThat(total).isEqualTo(300);
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void bucketIsOneKeyInsideItsHashTagThatExpiresWhenFull() {
        RedisRateLimiter limiter = limiter();
        RateLimit limit = RateLimit.of("per-second", 10, Duration.ofSeconds(1));

        RateLimitDecision decision = limiter.acquire("a:{b}", limit, 4);

        assertThat(decision.allowed()).isTrue();
        try (RedisConnection connection = factories.get(0).getConnection()) {
            byte[] key = (prefix + ":{per-second:a%3A%7Bb%7D}").getBytes();
            assertThat(connection.keyCommands().exists(key)).isTrue();
            assertThat(connection.keyCommands().pTtl(key)).isBetween(1L, 400L);
        }
    }

    @Test
    void keysAreEncodedOneToOneAndHugeOnesHashed() {
        assertThat(RedisKeys.encode("alice")).isEqualTo("alice");
        assertThat(RedisKeys.encode("a:b{c}")).isEqualTo("a%3Ab%7Bc%7D");
        assertThat(RedisKeys.encode("ключ")).isEqualTo("%D0%BA%D0%BB%D1%8E%D1%87");
        assertThat(RedisKeys.encode("x".repeat(500))).startsWith("#").hasSize(44);
        assertThat(new RedisKeys("crossbridge:rl").bucket("search", "a:b")).isEqualTo("crossbridge:rl:{search:a%3Ab}");
    }

    private RedisRateLimiter limiter() {
        LettuceConnectionFactory factory = RedisTestServer.connectionFactory();
        factories.add(factory);
        return new RedisRateLimiter(factory, prefix, Duration.ofSeconds(2), OnFailure.DENY);
    }
}
