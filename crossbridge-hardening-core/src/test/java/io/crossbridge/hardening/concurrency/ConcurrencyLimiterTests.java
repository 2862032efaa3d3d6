package io.crossbridge.hardening.concurrency;

import io.crossbridge.hardening.FakeTicker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcurrencyLimiterTests {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    private final CapturingTimer timer = new CapturingTimer();

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        timer.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void permitsUpToTheLimitThenRefuses() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 2);

        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.inFlight()).isEqualTo(2);

        limiter.release();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.inFlight()).isEqualTo(2);
    }

    @Test
    void rejectsALimitBelowOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> ConcurrencyLimiter.fixed("openai", 0))
                .withMessage("maxConcurrent must be at least 1, was 0");
    }

    @Test
    void refusalNamesTheLimit() {
        ConcurrencyLimitExceededException refusal = ConcurrencyLimiter.fixed("openai", 3).exceeded();

        assertThat(refusal.name()).isEqualTo("openai");
        assertThat(refusal.limit()).isEqualTo(3);
        assertThat(refusal).hasMessage("Concurrency limit 'openai' of 3 calls in flight is full");
    }

    @Test
    void threadsNeverExceedTheLimitAndReturnEveryPermit() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        AtomicInteger permitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();

        runOnThreads(8, () -> {
            for (int i = 0; i < 20_000; i++) {
                boolean waits = (i & 1) == 0;
                if (waits ? limiter.acquire(Duration.ofSeconds(5)) : limiter.tryAcquire()) {
                    int now = inside.incrementAndGet();
                    mostInside.accumulateAndGet(now, Math::max);
                    Thread.onSpinWait();
                    inside.decrementAndGet();
                    permitted.incrementAndGet();
                    limiter.release();
                }
                else {
                    refused.incrementAndGet();
                }
            }
            return null;
        });

        assertThat(mostInside.get()).isBetween(1, 3);
        assertThat(permitted.get() + refused.get()).isEqualTo(160_000);
        // Every call that waited got a permit: 5 s is far more than any call holds one.
        assertThat(permitted.get()).isGreaterThanOrEqualTo(80_000);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aBlockingWaitEndsWithinMaxWaitAndLeavesTheQueue() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();

        long start = System.nanoTime();
        boolean acquired = limiter.acquire(Duration.ofMillis(50));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(acquired).isFalse();
        assertThat(waitedMillis).isBetween(50L, 2_000L);
        assertThat(limiter.waiting()).isZero();
        limiter.release();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aBlockingWaiterGetsTheReleasedPermit() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();

        Future<Boolean> waiter = pool.submit(() -> limiter.acquire(Duration.ofSeconds(30)));
        awaitWaiting(limiter, 1);
        limiter.release();

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void anInterruptedWaiterLeavesTheQueueHoldingNothing() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();

        Future<Boolean> waiter = pool.submit(() -> limiter.acquire(Duration.ofSeconds(30)));
        awaitWaiting(limiter, 1);
        waiter.cancel(true);

        awaitWaiting(limiter, 0);
        limiter.release();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void anAsyncWaitHoldsNoThreadAndCompletesOnRelease() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();

        CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofSeconds(30), timer);
        assertThat(waiting).isNotDone();
        assertThat(limiter.waiting()).isEqualTo(1);

        limiter.release();
        assertThat(waiting).isCompleted();
        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThat(timer.lastTask().isCancelled()).isTrue();
    }

    @Test
    void anAsyncWaitFailsWhenMaxWaitEnds() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();

        CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofMillis(200), timer);
        assertThat(timer.lastDelayNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
        timer.runLast();

        assertThatThrownBy(waiting::join).hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
        assertThat(limiter.waiting()).isZero();
        limiter.release();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void anAsyncCallWithoutWaitIsRefusedAtOnce() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.acquireAsync(Duration.ZERO, timer)).isCompleted();

        assertThatThrownBy(limiter.acquireAsync(Duration.ZERO, timer)::join)
                .hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aCancelledAsyncWaiterLeavesTheQueueAndTheNextOneIsServed() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<Void> first = limiter.acquireAsync(Duration.ofSeconds(30), timer);
        CompletableFuture<Void> second = limiter.acquireAsync(Duration.ofSeconds(30), timer);

        assertThat(first.cancel(false)).isTrue();
        assertThat(limiter.waiting()).isEqualTo(1);
        limiter.release();

        assertThat(second).isCompleted();
        assertThat(limiter.inFlight()).isEqualTo(1);
    }

    @Test
    void waitersThatGiveUpAreSweptFromTheQueueAndThoseLeftAreServedInOrder() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<Void> first = limiter.acquireAsync(Duration.ofSeconds(30), timer);
        List<CompletableFuture<Void>> givingUp = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            givingUp.add(limiter.acquireAsync(Duration.ofSeconds(30), timer));
        }
        CompletableFuture<Void> last = limiter.acquireAsync(Duration.ofSeconds(30), timer);

        givingUp.forEach(waiter -> assertThat(waiter.cancel(false)).isTrue());

        assertThat(limiter.waiting()).isEqualTo(2);
        assertThat(limiter.queueLength()).as("the two waiting, and fewer than a sweep's worth of those gone")
                .isLessThanOrEqualTo(2 + 64);
        limiter.release();
        assertThat(first).isCompleted();
        assertThat(last).isNotDone();
        limiter.release();
        assertThat(last).isCompleted();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.queueLength()).as("a release polls those gone on its way").isZero();
    }

    @Test
    void waitersAreServedInTheOrderTheyCame() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiters.add(limiter.acquireAsync(Duration.ofSeconds(30), timer));
        }

        for (int served = 0; served < 5; served++) {
            assertThat(limiter.tryAcquire()).as("a newcomer while others wait").isFalse();
            limiter.release();
            for (int i = 0; i < 5; i++) {
                assertThat(waiters.get(i).isDone()).as("waiter %d after %d releases", i, served + 1).isEqualTo(i <= served);
            }
        }
    }

    /**
     * A cancel racing a grant: either the cancel wins and the waiter holds nothing, or the grant
     * wins, the cancel fails and the waiter holds a permit it must give back.
     */
    @Test
    void aCancelRacingAGrantLosesNoPermit() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        java.util.Random random = new java.util.Random(11);
        int cancels = 0;
        int grants = 0;
        for (int round = 0; round < 5_000; round++) {
            assertThat(limiter.tryAcquire()).isTrue();
            CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofSeconds(30), timer);
            CountDownLatch start = new CountDownLatch(1);
            Future<?> releasing = pool.submit(() -> {
                start.await();
                limiter.release();
                return null;
            });
            start.countDown();
            // A varying delay, so that the rounds sweep the moment the release comes.
            for (int spin = random.nextInt(20_000); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            boolean cancelled = waiting.cancel(false);
            releasing.get(10, TimeUnit.SECONDS);
            if (cancelled) {
                cancels++;
            }
            else {
                waiting.get(10, TimeUnit.SECONDS);
                limiter.release();
                grants++;
            }
            assertThat(limiter.inFlight()).as("round %d", round).isZero();
            assertThat(limiter.waiting()).isZero();
        }
        assertThat(cancels).as("rounds the cancel won").isPositive();
        assertThat(grants).as("rounds the grant won").isPositive();
    }

    @Test
    void completingTheFutureFromOutsideGivesUpTheWait() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofSeconds(30), timer);

        // As orTimeout does when its time is up.
        assertThat(waiting.completeExceptionally(new java.util.concurrent.TimeoutException())).isTrue();
        limiter.release();

        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aTimerThatRefusesTheWaitFailsTheFutureAndLeavesTheQueue() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();
        ScheduledThreadPoolExecutor stopped = new ScheduledThreadPoolExecutor(1);
        stopped.shutdown();

        CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofSeconds(30), stopped);

        assertThatThrownBy(waiting::join).hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        assertThat(limiter.waiting()).isZero();
        limiter.release();
        assertThat(limiter.inFlight()).isZero();
    }

    /**
     * As BlockHound fails a cancel that would park on a non-blocking thread: the grant is complete
     * and counted all the same, and the release that granted it does not fail.
     */
    @Test
    void aTimerWhoseCancelFailsFailsNeitherTheGrantNorTheRelease() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        assertThat(limiter.tryAcquire()).isTrue();
        TimerWhoseCancelFails failingCancel = new TimerWhoseCancelFails();
        try {
            CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofSeconds(30), failingCancel);

            limiter.release();

            assertThat(waiting).isCompleted();
            assertThat(limiter.waiting()).isZero();
            assertThat(limiter.inFlight()).isEqualTo(1);
        }
        finally {
            failingCancel.shutdownNow();
        }
    }

    @Test
    void anAdaptiveLimitNeverFallsBelowOne() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.adaptive("openai", new LimitAlgorithm() {
            @Override
            public int initialLimit() {
                return 1;
            }

            @Override
            public int update(long startNanos, long rttNanos, int inFlight, boolean overloaded) {
                return 0;
            }
        }, new FakeTicker());

        assertThat(limiter.tryAcquire()).isTrue();
        limiter.release(0, ConcurrencyLimiter.Outcome.OVERLOADED);

        assertThat(limiter.limit()).isEqualTo(1);
        assertThat(limiter.tryAcquire()).isTrue();
    }

    /**
     * A release racing a waiter on its way into the queue: whichever comes second must see the
     * other, or the waiter waits out its whole wait beside a free permit.
     */
    @Test
    void aReleaseRacingAnArrivingWaiterIsNeverLost() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 1);
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 5_000; round++) {
            assertThat(limiter.tryAcquire()).isTrue();
            CountDownLatch start = new CountDownLatch(1);
            Future<Boolean> waiter = pool.submit(() -> {
                start.await();
                return limiter.acquire(Duration.ofSeconds(20));
            });
            start.countDown();
            // A varying head start for the waiter, so that the rounds sweep the moment it queues.
            for (int spin = random.nextInt(20_000); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            limiter.release();
            assertThat(waiter.get(30, TimeUnit.SECONDS)).as("round %d", round).isTrue();
            limiter.release();
        }
        assertThat(limiter.inFlight()).isZero();
    }

    /** Every way a wait can end, at random, from several threads: no permit is left behind. */
    @Test
    void randomCallsReturnEveryPermit() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed("openai", 2);
        ScheduledThreadPoolExecutor realTimer = new ScheduledThreadPoolExecutor(1);
        try {
            runOnThreads(4, () -> {
                java.util.Random random = new java.util.Random();
                for (int i = 0; i < 25_000; i++) {
                    switch (random.nextInt(4)) {
                        case 0 -> {
                            if (limiter.tryAcquire()) {
                                limiter.release();
                            }
                        }
                        case 1 -> {
                            if (limiter.acquire(Duration.ofNanos(random.nextInt(100_000)))) {
                                limiter.release();
                            }
                        }
                        case 2 -> {
                            CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofMillis(1), realTimer);
                            // A cancel that came too late: held if and only if the future completes normally.
                            if (!waiting.cancel(false) && waiting.handle((done, failure) -> failure == null)
                                    .get(10, TimeUnit.SECONDS)) {
                                limiter.release();
                            }
                        }
                        default -> {
                            CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofNanos(random.nextInt(100_000)), realTimer);
                            try {
                                waiting.get(10, TimeUnit.SECONDS);
                                limiter.release();
                            }
                            catch (ExecutionException refused) {
                                assertThat(refused).hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
                            }
                        }
                    }
                }
                return null;
            });
        }
        finally {
            realTimer.shutdownNow();
        }

        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
    }

    @Test
    void anAdaptiveLimitLearnsFromEachReleaseButTheIgnoredOnes() {
        FakeTicker ticker = new FakeTicker();
        List<String> samples = new ArrayList<>();
        ConcurrencyLimiter limiter = ConcurrencyLimiter.adaptive("openai", new LimitAlgorithm() {
            @Override
            public int initialLimit() {
                return 1;
            }

            @Override
            public int update(long startNanos, long rttNanos, int inFlight, boolean overloaded) {
                samples.add(startNanos + "+" + rttNanos + " in flight " + inFlight + (overloaded ? " overloaded" : ""));
                return overloaded ? 1 : 2;
            }
        }, ticker);

        assertThat(limiter.tryAcquire()).isTrue();
        long start = limiter.startTime();
        CompletableFuture<Void> waiting = limiter.acquireAsync(Duration.ofSeconds(30), timer);
        ticker.advanceNanos(250);
        limiter.release(start, ConcurrencyLimiter.Outcome.SUCCEEDED);

        // The raised limit let the waiter in.
        assertThat(limiter.limit()).isEqualTo(2);
        assertThat(waiting).isCompleted();
        assertThat(limiter.tryAcquire()).isTrue();
        limiter.release(ticker.read(), ConcurrencyLimiter.Outcome.IGNORED);
        limiter.release(ticker.read(), ConcurrencyLimiter.Outcome.OVERLOADED);

        assertThat(samples).containsExactly("0+250 in flight 1", "250+0 in flight 1 overloaded");
        assertThat(limiter.limit()).isEqualTo(1);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.adaptive()).isTrue();
    }

    private void runOnThreads(int threads, java.util.concurrent.Callable<Void> work) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Void>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(pool.submit(() -> {
                start.await();
                return work.call();
            }));
        }
        start.countDown();
        for (Future<Void> each : running) {
            each.get(60, TimeUnit.SECONDS);
        }
    }

    /** Waits for a thread of the pool to reach the queue (or leave it): a state, not a time. */
    private static void awaitWaiting(ConcurrencyLimiter limiter, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (limiter.waiting() != count) {
            assertThat(System.nanoTime() - deadline).as("waiters to become %d", count).isNegative();
            Thread.sleep(1);
        }
    }

    /** A timer that runs nothing by itself: a test runs the last scheduled task when it decides. */
    private static final class CapturingTimer extends ScheduledThreadPoolExecutor {

        private Runnable lastCommand;

        private long lastDelayNanos;

        private ScheduledFuture<?> lastTask;

        CapturingTimer() {
            super(1);
        }

        /** Runs at once, so that a granted future is complete when release returns. */
        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            lastCommand = command;
            lastDelayNanos = unit.toNanos(delay);
            lastTask = super.schedule(command, 1, TimeUnit.DAYS);
            return lastTask;
        }

        void runLast() {
            lastCommand.run();
        }

        long lastDelayNanos() {
            return lastDelayNanos;
        }

        ScheduledFuture<?> lastTask() {
            return lastTask;
        }
    }
}
