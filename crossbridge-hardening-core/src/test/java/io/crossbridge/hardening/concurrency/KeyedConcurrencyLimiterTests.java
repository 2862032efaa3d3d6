package io.crossbridge.hardening.concurrency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyedConcurrencyLimiterTests {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        timer.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void eachKeyHasItsOwnLimit() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 2, 100);

        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.tryAcquire("alice")).isFalse();
        assertThat(limiter.tryAcquire("bob")).isTrue();
        assertThat(limiter.inFlight("alice")).isEqualTo(2);
        assertThat(limiter.keys()).isEqualTo(2);
    }

    /**
     * As BlockHound fails a cancel that would park on a non-blocking thread: the grant is complete
     * and counted all the same, and the release that granted it does not fail.
     */
    @Test
    void aTimerWhoseCancelFailsFailsNeitherTheGrantNorTheRelease() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 100);
        assertThat(limiter.tryAcquire("alice")).isTrue();
        TimerWhoseCancelFails failingCancel = new TimerWhoseCancelFails();
        try {
            CompletableFuture<Void> waiting = limiter.acquireAsync("alice", Duration.ofSeconds(30), failingCancel);

            limiter.release("alice");

            assertThat(waiting).isCompleted();
            assertThat(limiter.inFlight("alice")).isEqualTo(1);
            limiter.release("alice");
            assertThat(limiter.keys()).isZero();
        }
        finally {
            failingCancel.shutdownNow();
        }
    }

    @Test
    void aKeyHoldsNoMemoryOnceItsCallsEnd() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 2, 1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(limiter.tryAcquire("user-" + i)).isTrue();
        }
        assertThat(limiter.keys()).isEqualTo(1_000);

        for (int i = 0; i < 1_000; i++) {
            limiter.release("user-" + i);
        }

        assertThat(limiter.keys()).isZero();
    }

    @Test
    void aNewKeyBeyondMaxKeysIsRefusedAndNoKnownKeyIsDropped() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 2);
        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.tryAcquire("bob")).isTrue();

        assertThat(limiter.tryAcquire("carol")).isFalse();
        assertThat(limiter.tryAcquire("alice")).as("alice's entry is still there, full").isFalse();

        limiter.release("bob");
        assertThat(limiter.tryAcquire("carol")).isTrue();
    }

    @Test
    void threadsOverManyKeysNeverExceedAnyKeysLimit() throws Exception {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 2, 1_000);
        ConcurrentHashMap<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        AtomicInteger mostInside = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            threads.add(pool.submit(() -> {
                start.await();
                java.util.Random random = new java.util.Random(seed);
                for (int i = 0; i < 20_000; i++) {
                    String key = "user-" + random.nextInt(4);
                    boolean waits = random.nextBoolean();
                    if (waits ? limiter.acquire(key, Duration.ofSeconds(5), timer) : limiter.tryAcquire(key)) {
                        AtomicInteger count = inside.computeIfAbsent(key, k -> new AtomicInteger());
                        mostInside.accumulateAndGet(count.incrementAndGet(), Math::max);
                        count.decrementAndGet();
                        limiter.release(key);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> thread : threads) {
            thread.get(60, TimeUnit.SECONDS);
        }

        assertThat(mostInside.get()).isBetween(1, 2);
        assertThat(limiter.keys()).isZero();
    }

    @Test
    void aWaiterOfAKeyGetsItsReleasedPermitFirstComeFirstServed() throws Exception {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 100);
        assertThat(limiter.tryAcquire("alice")).isTrue();
        CompletableFuture<Void> first = limiter.acquireAsync("alice", Duration.ofSeconds(30), timer);
        CompletableFuture<Void> second = limiter.acquireAsync("alice", Duration.ofSeconds(30), timer);

        assertThat(limiter.tryAcquire("alice")).as("a newcomer while others wait").isFalse();
        limiter.release("alice");

        first.get(10, TimeUnit.SECONDS);
        assertThat(second).isNotDone();
        limiter.release("alice");
        second.get(10, TimeUnit.SECONDS);
        limiter.release("alice");
        assertThat(limiter.keys()).isZero();
    }

    @Test
    void aCancelledWaiterLeavesTheQueue() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 100);
        assertThat(limiter.tryAcquire("alice")).isTrue();
        CompletableFuture<Void> waiting = limiter.acquireAsync("alice", Duration.ofSeconds(30), timer);

        assertThat(waiting.cancel(false)).isTrue();
        limiter.release("alice");

        assertThat(limiter.keys()).isZero();
        assertThat(limiter.tryAcquire("alice")).isTrue();
    }

    @Test
    void aWaitWithoutAFreePermitEndsRefused() throws Exception {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 100);
        assertThat(limiter.tryAcquire("alice")).isTrue();

        assertThat(limiter.acquire("alice", Duration.ofMillis(20), timer)).isFalse();
        assertThatThrownBy(limiter.acquireAsync("alice", Duration.ZERO, timer)::join)
                .hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
        limiter.release("alice");
        assertThat(limiter.keys()).isZero();
    }

    @Test
    void aBlockingWaitThatAShutDownTimerRefusesSaysSoAndHoldsNothing() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 100);
        assertThat(limiter.tryAcquire("alice")).isTrue();
        timer.shutdown();

        // Not false, which would read as the key's share being full.
        assertThatThrownBy(() -> limiter.acquire("alice", Duration.ofSeconds(30), timer))
                .isInstanceOf(RejectedExecutionException.class);
        limiter.release("alice");
        assertThat(limiter.keys()).isZero();
    }

    @Test
    void completingTheFutureFromOutsideGivesUpTheWait() {
        KeyedConcurrencyLimiter limiter = new KeyedConcurrencyLimiter("transform", 1, 100);
        assertThat(limiter.tryAcquire("alice")).isTrue();
        CompletableFuture<Void> waiting = limiter.acquireAsync("alice", Duration.ofSeconds(30), timer);

        assertThat(waiting.completeExceptionally(new java.util.concurrent.TimeoutException())).isTrue();
        limiter.release("alice");

        assertThat(limiter.keys()).isZero();
    }

    @Test
    void rejectsBadSettings() {
        assertThatIllegalArgumentException().isThrownBy(() -> new KeyedConcurrencyLimiter("transform", 0, 10))
                .withMessage("maxConcurrent must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new KeyedConcurrencyLimiter("transform", 1, 0))
                .withMessage("maxKeys must be at least 1, was 0");
    }
}
