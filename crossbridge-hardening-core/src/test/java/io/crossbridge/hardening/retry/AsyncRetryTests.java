package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.failure.AuthenticationException;
import io.crossbridge.hardening.failure.NetworkException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AsyncRetryTests {

    private static final RetryPolicy EXACT = RetryPolicy.DEFAULT.withJitter(Jitter.NONE);

    /** Records each requested delay and runs the task at once: no test waits for time to pass. */
    private final RecordingScheduler scheduler = new RecordingScheduler();

    private final Retry retry = Retry.builder().build();

    @AfterEach
    void shutDown() {
        scheduler.shutdownNow();
    }

    @Test
    void failedStagesAreRetriedOnTheSchedulerUntilASuccess() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> threads = new CopyOnWriteArrayList<>();

        CompletableFuture<String> result = retry.callAsync(() -> {
            threads.add(Thread.currentThread().getName());
            return calls.incrementAndGet() < 3 ? CompletableFuture.failedFuture(new IOException("reset"))
                    : CompletableFuture.completedFuture("ok");
        }, EXACT, scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(scheduler.delays).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(threads.subList(1, 3)).allMatch(name -> name.startsWith("recording-scheduler"));
    }

    @Test
    void wrappedFailuresAreUnwrappedBeforeClassifying() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new CompletionException(new ExecutionException(new IOException("x"))))
                : CompletableFuture.completedFuture("ok"), EXACT, scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void permanentFailureFailsTheFutureWithTheSameException() {
        AuthenticationException denied = new AuthenticationException("bad key");

        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.<String>failedFuture(denied), EXACT,
                scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .withCause(denied);
        assertThat(scheduler.delays).isEmpty();
    }

    @Test
    void exhaustionFailsTheFutureWithEveryFailure() {
        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.failedFuture(new IOException("down")),
                EXACT, scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(RetryExhaustedException.class)
                .satisfies(ex -> assertThat(ex.getSuppressed()).hasSize(2));
    }

    @Test
    void supplierThatThrowsCountsAsAFailedAttempt() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new NetworkException("no route", null);
            }
            return CompletableFuture.completedFuture("ok");
        }, EXACT, scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void supplierReturningNullFailsTheFuture() {
        CompletableFuture<String> result = retry.callAsync(() -> null, EXACT, scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(NullPointerException.class)
                .withMessage("the call returned null instead of a CompletionStage");
    }

    @Test
    void shutDownSchedulerFailsTheFutureInsteadOfLeavingItPending() {
        scheduler.shutdown();

        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.failedFuture(new IOException("x")),
                EXACT, scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .withCauseInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void cancelledFutureMakesNoFurtherAttempt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> firstStage = new CompletableFuture<>();

        CompletableFuture<String> result = retry.callAsync(() -> {
            calls.incrementAndGet();
            return firstStage;
        }, EXACT, scheduler, RetryListener.NONE);
        result.cancel(false);
        firstStage.completeExceptionally(new IOException("late"));
        scheduler.shutdown();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(calls).hasValue(1);
    }

    static final class RecordingScheduler extends ScheduledThreadPoolExecutor {

        final List<Duration> delays = new CopyOnWriteArrayList<>();

        RecordingScheduler() {
            super(1, runnable -> new Thread(runnable, "recording-scheduler"));
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            return super.schedule(command, 0, unit);
        }
    }
}
