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

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The Redis store against a real server, on each client library: the same decisions as the
 * in-memory store, one shared limit across instances (one on Lettuce, one on Jedis), expiry, and
 * the key layout.
 */
class RedisStoreTests {

    private final String prefix = "test-" + UUID.randomUUID();

    private final List<RedisConnectionFactory> factories = new ArrayList<>();

    @AfterEach
    void disconnect() {
        if (!factories.isEmpty()) {
            new RedisRateLimiter(factories.get(0), prefix, Duration.ofSeconds(2), OnFailure.DENY).resetAll();
        }
        factories.forEach(ClientLibrary::destroy);
    }

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void decidesExactlyAsTheInMemoryStoreDecisionByDecision(ClientLibrary library) {
        RedisRateLimiter redis = limiter(library);
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
        RedisRateLimiter first = limiter(ClientLibrary.LETTUCE);
        RedisRateLimiter second = limiter(ClientLibrary.JEDIS);
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
    void bucketIsOneKeyThatExpiresWhenFull() {
        RedisRateLimiter limiter = limiter(ClientLibrary.LETTUCE);
        RateLimit limit = RateLimit.of("per-second", 10, Duration.ofSeconds(1));

        RateLimitDecision decision = limiter.acquire("a:{b}", limit, 4);

        assertThat(decision.allowed()).isTrue();
        try (RedisConnection connection = factories.get(0).getConnection()) {
            byte[] key = (prefix + ":per-second:a:%7Bb%7D").getBytes();
            assertThat(connection.keyCommands().exists(key)).isTrue();
            assertThat(connection.keyCommands().pTtl(key)).isBetween(1L, 400L);
        }
    }

    @Test
    void resetAllDeletesOnlyItsOwnPrefixWhateverCharactersItHolds() {
        RedisConnectionFactory factory = RedisTestServer.connectionFactory(ClientLibrary.LETTUCE);
        factories.add(factory);
        RedisRateLimiter glob = RedisTestServer.connected(
                new RedisRateLimiter(factory, prefix + "*", Duration.ofSeconds(2), OnFailure.DENY));
        RedisRateLimiter other = limiter(ClientLibrary.LETTUCE);
        RateLimit once = RateLimit.of("once", 1, Duration.ofHours(1));
        assertThat(glob.tryAcquire("a", once)).isTrue();
        assertThat(other.tryAcquire("a", once)).isTrue();

        glob.resetAll();

        assertThat(glob.tryAcquire("a", once)).isTrue();
        assertThat(other.tryAcquire("a", once)).isFalse();
        glob.resetAll();
    }

    @Test
    void jedisForRedisClusterIsRefusedSayingToUseLettuce() {
        JedisConnectionFactory cluster = new JedisConnectionFactory(
                new RedisClusterConfiguration(List.of("localhost:7000")));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RedisRateLimiter(cluster, prefix, Duration.ofSeconds(2), OnFailure.DENY))
                .withMessageContaining("needs Lettuce (Spring Boot's default) for Redis Cluster");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void jedisPoolThatCanMakeADecisionWaitLongerThanTheTimeoutIsReportedAtStartup(CapturedOutput output) {
        GenericObjectPoolConfig<Object> unbounded = new GenericObjectPoolConfig<>();
        unbounded.setMaxWait(Duration.ofMillis(-1));
        GenericObjectPoolConfig<Object> bounded = new GenericObjectPoolConfig<>();
        bounded.setMaxWait(Duration.ofMillis(50));

        new RedisRateLimiter(jedis(bounded), prefix, Duration.ofMillis(100), OnFailure.DENY);
        assertThat(output).doesNotContain("max-wait");

        new RedisRateLimiter(jedis(unbounded), prefix, Duration.ofMillis(100), OnFailure.DENY);
        assertThat(output).contains("spring.data.redis.jedis.pool.max-wait (PT-0.001S, negative is forever)");
    }

    private static JedisConnectionFactory jedis(GenericObjectPoolConfig<Object> pool) {
        return new JedisConnectionFactory(new RedisStandaloneConfiguration(),
                JedisClientConfiguration.builder().usePooling().poolConfig(pool).build());
    }

    @Test
    void keysAreEncodedOneToOneAndHugeOnesHashed() {
        assertThat(RedisKeys.encode("alice", true)).isEqualTo("alice");
        assertThat(RedisKeys.encode("a:b{c}", true)).isEqualTo("a:b%7Bc%7D");
        assertThat(RedisKeys.encode("a:b{c}", false)).isEqualTo("a%3Ab%7Bc%7D");
        assertThat(RedisKeys.encode("ключ", true)).isEqualTo("%D0%BA%D0%BB%D1%8E%D1%87");
        assertThat(RedisKeys.encode("x".repeat(500), true)).startsWith("#").hasSize(44);
        RedisKeys keys = new RedisKeys("crossbridge");
        assertThat(keys.bucket("search", "2001:db8::1")).isEqualTo("crossbridge:search:2001:db8::1");
        assertThat(keys.bucket("search:x", "a")).isEqualTo("crossbridge:search%3Ax:a");
        assertThat(keys.bucket("search", "x:a")).isNotEqualTo(keys.bucket("search:x", "a"));
        assertThat(new RedisKeys("app*[1]?\\").pattern()).isEqualTo("app\\*\\[1\\]\\?\\\\:*");
    }

    private RedisRateLimiter limiter(ClientLibrary library) {
        RedisConnectionFactory factory = RedisTestServer.connectionFactory(library);
        factories.add(factory);
        return RedisTestServer.connected(new RedisRateLimiter(factory, prefix, Duration.ofSeconds(2), OnFailure.DENY));
    }
}
