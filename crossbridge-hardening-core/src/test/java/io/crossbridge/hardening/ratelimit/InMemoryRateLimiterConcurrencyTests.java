package io.crossbridge.hardening.ratelimit;

import io.crossbridge.hardening.FakeTicker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real threads on a frozen or stepped ticker: the counts must come out exact.
 */
class InMemoryRateLimiterConcurrencyTests {

    private static final int THREADS = 4;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);

    private final FakeTicker ticker = new FakeTicker();

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void threadsOnOneKeyAdmitExactlyTheCapacity() throws Exception {
        RateLimit limit = RateLimit.of("hot", 10_000, Duration.ofMinutes(1));
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).build();
        AtomicLong admitted = new AtomicLong();

        runConcurrently(() -> {
            for (int i = 0; i < 10_000; i++) {
                if (limiter.tryAcquire("alice", limit)) {
                    admitted.incrementAndGet();
                }
            }
        });

        assertThat(admitted).hasValue(10_000);
        assertThat(limiter.stats().limits().get("hot").allowed()).isEqualTo(10_000);
        assertThat(limiter.stats().limits().get("hot").rejected()).isEqualTo(30_000);
    }

    /**
     * Each thread uses its own version of one limit name, so the limiter's one slot for that
     * name changes hands between threads all the time: every thread must still be admitted
     * exactly its own version's capacity.
     */
    @Test
    void threadsUsingDifferentVersionsOfOneLimitEachGetTheirOwnCapacity() throws Exception {
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).build();
        AtomicInteger nextThread = new AtomicInteger();
        AtomicIntegerArray admitted = new AtomicIntegerArray(THREADS);

        runConcurrently(() -> {
            int thread = nextThread.getAndIncrement();
            int capacity = 1_000 * (thread + 1);
            // A token a second in every version: only the capacity tells them apart.
            RateLimit version = RateLimit.of("shared", capacity, Duration.ofSeconds(capacity));
            for (int i = 0; i < capacity + 500; i++) {
                if (limiter.tryAcquire("key-" + thread, version)) {
                    admitted.incrementAndGet(thread);
                }
            }
        });

        for (int thread = 0; thread < THREADS; thread++) {
            assertThat(admitted.get(thread)).as("thread %d", thread).isEqualTo(1_000 * (thread + 1));
        }
        assertThat(limiter.stats().limits().get("shared"))
                .isEqualTo(new RateLimiterStats.LimitStats(THREADS, 10_000, THREADS * 500));
    }

    @Test
    void threadsTakingSeveralTokensNeverSplitARequest() throws Exception {
        RateLimit limit = RateLimit.of("multi", 10_000, Duration.ofMinutes(1));
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).build();
        AtomicLong admittedTokens = new AtomicLong();

        runConcurrently(() -> {
            for (int i = 0; i < 2_000; i++) {
                if (limiter.tryAcquire("alice", limit, 3)) {
                    admittedTokens.addAndGet(3);
                }
            }
        });

        assertThat(admittedTokens).hasValue(9_999);
        assertThat(limiter.remaining("alice", limit)).isEqualTo(1.0);
    }

    @Test
    void threadsOnManyKeysLoseNoUpdate() throws Exception {
        RateLimit limit = RateLimit.of("many", 50, Duration.ofMinutes(1));
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).build();
        int keys = 1_000;
        AtomicIntegerArray admitted = new AtomicIntegerArray(keys);

        runConcurrently(() -> {
            for (int round = 0; round < 20; round++) {
                for (int key = 0; key < keys; key++) {
                    if (limiter.tryAcquire("key-" + key, limit)) {
                        admitted.incrementAndGet(key);
                    }
                }
            }
        });

        for (int key = 0; key < keys; key++) {
            assertThat(admitted.get(key)).as("key-%d", key).isEqualTo(50);
        }
        assertThat(limiter.stats().activeBuckets()).isEqualTo(keys);
    }

    @Test
    void sweepsRacingWithRequestsNeverAdmitMoreOrLessThanTheCapacity() throws Exception {
        RateLimit limit = RateLimit.of("swept", 20, Duration.ofSeconds(1));
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(1_000).build();
        int keys = 64;
        AtomicBoolean sweeping = new AtomicBoolean(true);
        AtomicLong swept = new AtomicLong();
        Future<?> sweeper = pool.submit(() -> {
            while (sweeping.get()) {
                swept.addAndGet(limiter.cleanUp());
            }
        });

        for (int round = 0; round < 50; round++) {
            // Every bucket is full again, so the sweeper may drop any of them at any moment.
            ticker.advance(Duration.ofSeconds(1));
            AtomicIntegerArray admitted = new AtomicIntegerArray(keys);
            runConcurrently(() -> {
                for (int attempt = 0; attempt < 30; attempt++) {
                    for (int key = 0; key < keys; key++) {
                        if (limiter.tryAcquire("key-" + key, limit)) {
                            admitted.incrementAndGet(key);
                        }
                    }
                }
            });
            for (int key = 0; key < keys; key++) {
                assertThat(admitted.get(key)).as("round %d, key-%d", round, key).isEqualTo(20);
            }
        }
        sweeping.set(false);
        sweeper.get(10, TimeUnit.SECONDS);

        assertThat(swept.get()).isPositive();
        assertThat(limiter.stats().activeBuckets()).isEqualTo(keys);
    }

    private void runConcurrently(Runnable work) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                work.run();
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : futures) {
            future.get(60, TimeUnit.SECONDS);
        }
    }
}
