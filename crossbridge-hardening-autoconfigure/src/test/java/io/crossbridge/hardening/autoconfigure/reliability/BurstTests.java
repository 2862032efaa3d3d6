package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisTestSupport;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bursts from two threads over 1,000 keys with the real clock: for every key, what was admitted
 * never exceeds capacity + rate x elapsed, the bucket invariant, counting from before the first
 * call to after the last.
 */
@Tag("reliability")
class BurstTests {

    private static final RateLimit LIMIT = RateLimit.of("burst", 20, Duration.ofSeconds(2));

    @Test
    void inMemoryTwoThreadsTimesAMillionCalls() throws Exception {
        burst(new InMemoryRateLimiter(), 1_000_000);
    }

    @Test
    void redisTwoThreadsTimesAMillionCalls() throws Exception {
        LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
        try {
            RateLimiter redis = RedisTestSupport.limiter(factory, "burst-" + UUID.randomUUID(), Duration.ofSeconds(2),
                    OnFailure.DENY);
            try {
                burst(redis, 1_000_000);
            }
            finally {
                redis.resetAll();
            }
        }
        finally {
            factory.destroy();
        }
    }

    private static void burst(RateLimiter limiter, int callsPerThread) throws Exception {
        AtomicIntegerArray admitted = new AtomicIntegerArray(1_000);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            runs.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < callsPerThread; i++) {
                    int key = ThreadLocalRandom.current().nextInt(1_000);
                    if (limiter.tryAcquire("key-" + key, LIMIT)) {
                        admitted.incrementAndGet(key);
                    }
                }
                return null;
            }));
        }
        long begin = System.nanoTime();
        start.countDown();
        try {
            for (Future<?> run : runs) {
                run.get(5, TimeUnit.MINUTES);
            }
        }
        finally {
            threads.shutdownNow();
        }
        double elapsedSeconds = (System.nanoTime() - begin) / 1e9;
        double bound = LIMIT.capacity() + LIMIT.capacity() / 2.0 * elapsedSeconds;
        int most = 0;
        long total = 0;
        for (int key = 0; key < 1_000; key++) {
            assertThat((double) admitted.get(key)).as("key %d over %.2f s", key, elapsedSeconds).isLessThanOrEqualTo(bound);
            most = Math.max(most, admitted.get(key));
            total += admitted.get(key);
        }
        System.out.printf("burst on %s: %d calls in %.2f s, %d admitted, at most %d per key (bound %.1f)%n",
                limiter.getClass().getSimpleName(), 2L * callsPerThread, elapsedSeconds, total, most, bound);
        assertThat(total).as("the limiter admitted something").isGreaterThan(0);
    }
}
